import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { jobsClient, publishEvent, sidecarReady } from "@nudge/dapr";
import { STARTUP_TIMEOUT_MS, TEARDOWN_TIMEOUT_MS, waitFor } from "@nudge/testing";
import {
  bucketInstanceId,
  deliveryIdFor,
} from "../../services/notification-service/src/reminders/buckets.ts";
import { RETENTION_JOB } from "../../services/notification-service/src/reminders/retention.ts";
import { type ReminderSystem, remindersAt, secondsAhead, startReminderSystem } from "./fixture.ts";

// The clean-up runs every second here (through the real scheduler), so the test only has to
// make rows old: it moves their timestamps back past the retention.
let system: ReminderSystem;
beforeAll(async () => {
  system = await startReminderSystem({
    notification: { DELIVERY_RETENTION_SCHEDULE: "@every 1s", REMINDER_SHARDS: "1" },
  });
  await system.service.scheduleRetention(() => sidecarReady(system.sidecar));
}, STARTUP_TIMEOUT_MS);
afterAll(() => system?.stop(), TEARDOWN_TIMEOUT_MS);

const DAYS_AGO_8 = "now() - interval '8 days'";

describe("the clean-up of delivery bookkeeping", () => {
  test("is a Dapr cron job of notification-service", async () => {
    const job = await jobsClient(system.sidecar).get(RETENTION_JOB);
    expect(job?.schedule).toBe("@every 1s");
  });

  test("deletes what a finished delivery left behind, keeps what is still to come, and nothing is emailed twice afterwards", async () => {
    const sql = system.service.sql;
    const at = secondsAhead(3000);
    const [delivered, cancelled] = await remindersAt(system.api, 2, at, (i) => `Retention ${i}`);
    const [later] = await remindersAt(
      system.api,
      1,
      new Date(Date.now() + 3600_000),
      () => "Retention later",
    );
    if (!delivered || !cancelled || !later) throw new Error("reminders not created");
    await system.api.request("DELETE", `/tasks/${cancelled.task.id}/reminders/${cancelled.reminder.id}`, {
      user: cancelled.user,
    });
    const deliveryOf = (r: typeof delivered) => deliveryIdFor(r.reminder.id, r.reminder.occurrenceKey);
    await waitFor("the delivery, the tombstone and the later reminder armed", async () => {
      const rows = await sql<{ delivery_id: string; state: string; status: string | null }[]>`
        select o.delivery_id, o.state, d.status from occurrences o left join deliveries d on d.instance_id = o.delivery_id
        where o.delivery_id = any(${[delivered, cancelled, later].map(deliveryOf)}::text[])`;
      const of = (r: typeof delivered) => rows.find((row) => row.delivery_id === deliveryOf(r));
      return (
        of(delivered)?.status === "sent" &&
        of(cancelled)?.state === "cancelled" &&
        of(later)?.state === "armed"
      );
    });
    const [bucket] = await sql<{ bucket: string; shard: number; incarnation: string; generation: number }[]>`
      select b.bucket, b.shard, b.incarnation, b.generation from buckets b join occurrences o on o.bucket = b.bucket and o.shard = b.shard
      where o.delivery_id = ${deliveryOf(delivered)}`;
    if (!bucket) throw new Error("no bucket for the delivered reminder");
    const instance = bucketInstanceId(
      Number(bucket.bucket),
      bucket.shard,
      Number(bucket.incarnation),
      bucket.generation,
    );
    expect(await system.service.workflows.getWorkflowState(instance, false)).toBeDefined();
    // A generation whose trigger never started a workflow (overtaken by a later one) has nothing to purge.
    await sql`update buckets set generation = generation + 1 where bucket = ${bucket.bucket} and shard = ${bucket.shard}`;
    // A chunk still being retried: its recorded request must outlive the retention.
    const retrying = `retention-retrying-${crypto.randomUUID()}`;
    await sql`
      insert into deliveries (instance_id, reminder_id, task_id, user_id, occurrence_key, due_at, status)
      values (${retrying}, ${crypto.randomUUID()}, ${crypto.randomUUID()}, 'retention-user', 'k', now(), 'sending')`;
    await sql`
      insert into sends (idempotency_key, emails, delivery_ids, prepared_by)
      values (${`${retrying}-c0`}, '[]', ${[retrying]}::text[], 'test')`;
    const sentKeys = (
      await sql<
        { send_key: string }[]
      >`select send_key from deliveries where instance_id = ${deliveryOf(delivered)}`
    ).map((row) => row.send_key);
    // Digest records: one finished 8 days ago goes; one finished today and one still pending stay.
    const digest = (name: string) => `digest-retention-${name}-${crypto.randomUUID()}`;
    const [oldSent, todaySent, oldPending] = [
      digest("old-sent"),
      digest("today-sent"),
      digest("old-pending"),
    ];
    await sql`
      insert into digests (id, user_id, day, due_at, status) values
        (${oldSent}, ${oldSent}, (now() - interval '8 days')::date, now() - interval '8 days', 'sent'),
        (${todaySent}, ${todaySent}, now()::date, now() - interval '1 hour', 'sent'),
        (${oldPending}, ${oldPending}, (now() - interval '8 days')::date, now() - interval '8 days', 'pending')`;
    const events = await sql<{ n: number }[]>`select count(*)::int as n from processed_events`;
    expect(events[0]?.n).toBeGreaterThan(0);

    // Everything is now older than the retention (7 days for bookkeeping, 24 h for requests).
    for (const table of ["occurrences", "buckets", "deliveries"])
      await sql.unsafe(`update ${table} set updated_at = ${DAYS_AGO_8}`);
    await sql.unsafe(`update sends set created_at = ${DAYS_AGO_8}`);
    await sql.unsafe(`update processed_events set processed_at = ${DAYS_AGO_8}`);

    await waitFor(
      "the clean-up",
      async () => {
        const [left] = await sql<
          { occurrences: number; buckets: number; sends: number; events: number; digests: number }[]
        >`
          select (select count(*) from occurrences where delivery_id = any(${[deliveryOf(delivered), deliveryOf(cancelled)]}::text[]))::int as occurrences,
                 (select count(*) from buckets where bucket = ${bucket.bucket} and shard = ${bucket.shard})::int as buckets,
                 (select count(*) from sends where idempotency_key = any(${sentKeys}::text[]))::int as sends,
                 (select count(*) from processed_events)::int as events,
                 (select count(*) from digests where id = ${oldSent})::int as digests`;
        return (
          left?.occurrences === 0 &&
          left.buckets === 0 &&
          left.sends === 0 &&
          left.events === 0 &&
          left.digests === 0
        );
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(await system.service.workflows.getWorkflowState(instance, false)).toBeUndefined();
    // Kept: what is still to come, however old its rows look, and the record of every delivery.
    const [kept] = await sql<{ armed: string; scheduled: number; retrying: number; deliveries: number }[]>`
      select (select state from occurrences where delivery_id = ${deliveryOf(later)}) as armed,
             (select count(*) from buckets b join occurrences o on o.bucket = b.bucket and o.shard = b.shard
              where o.delivery_id = ${deliveryOf(later)} and b.state = 'scheduled')::int as scheduled,
             (select count(*) from sends where idempotency_key = ${`${retrying}-c0`})::int as retrying,
             (select count(*) from deliveries where instance_id = ${deliveryOf(delivered)} and status = 'sent')::int as deliveries`;
    expect(kept).toEqual({ armed: "armed", scheduled: 1, retrying: 1, deliveries: 1 });
    const digestsKept = await sql<{ id: string }[]>`
      select id from digests where id = any(${[todaySent, oldPending]}::text[]) order by id`;
    expect(digestsKept.map((row) => row.id).sort()).toEqual([todaySent, oldPending].sort());

    // The delivered reminder's event again (a replay from dlq-events, a redelivery): its event
    // id and occurrence are forgotten, so it is armed and claimed again — and not emailed again.
    const [outboxed] = await sql<{ event: Record<string, unknown> }[]>`
      select event from task_api.outbox
      where event->>'type' = 'reminder.scheduled' and event->>'subject' = ${delivered.reminder.id}`;
    if (!outboxed) throw new Error("the delivered reminder's event is not in the outbox");
    await publishEvent(system.api.sidecar, "reminders", outboxed.event as never, {
      partitionKey: delivered.task.id,
    });
    await waitFor(
      "the replayed occurrence to be claimed again",
      async () =>
        (
          await sql`select 1 from occurrences where delivery_id = ${deliveryOf(delivered)} and state = 'claimed'`
        ).length > 0,
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    const [replayed] = await sql<{ incarnation: string; state: string }[]>`
      select incarnation, state from buckets where bucket = ${bucket.bucket} and shard = ${bucket.shard}`;
    // The bucket came back as a new incarnation: its workflow ran under an id never used before.
    expect(replayed?.state).toBe("fired");
    expect(replayed?.incarnation).not.toBe(bucket.incarnation);
    await Bun.sleep(2000);
    expect(system.mail.emails().filter((m) => m.to.includes(delivered.email))).toHaveLength(1);
    expect(system.mail.emails().filter((m) => m.to.includes(cancelled.email))).toHaveLength(0);
  }, 90_000);
});
