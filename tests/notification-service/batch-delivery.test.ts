import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { publishEvent } from "@nudge/dapr";
import { createLogger } from "@nudge/service";
import {
  type EventRecorder,
  STARTUP_TIMEOUT_MS,
  startEventRecorder,
  TEARDOWN_TIMEOUT_MS,
  waitFor,
} from "@nudge/testing";
import { startOutboxRelay } from "../../services/task-api/src/outbox/relay.ts";
import {
  FAULTY_AFTER_MS,
  type ReminderSystem,
  remindersAt,
  secondsAhead,
  startReminderSystem,
} from "./fixture.ts";

// One shard and chunks of three, so the tests know which reminders share a Resend request.
const CHUNK = 3;
let system: ReminderSystem;
let recorder: EventRecorder;
let resumedRelay: ReturnType<typeof startOutboxRelay> | undefined;
beforeAll(async () => {
  system = await startReminderSystem({
    notification: { REMINDER_SHARDS: "1", REMINDER_CHUNK_SIZE: String(CHUNK), REMINDER_PREPARE_MS: "500" },
  });
  recorder = await startEventRecorder(system.api.stack, ["reminders", "dlq-events"]);
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  await resumedRelay?.stop();
  await recorder?.stop();
  await system?.stop();
}, TEARDOWN_TIMEOUT_MS);

const mailTo = (email: string) => system.mail.emails().filter((m) => m.to.includes(email));
const deliveryOf = async (reminderId: string) =>
  (
    await system.service.sql<{ status: string; reason: string | null; send_key: string | null }[]>`
      select status, reason, send_key from deliveries where reminder_id = ${reminderId}`
  )[0];
/** The start of the (default, 1 s) due bucket an instant falls in. */
const bucketStart = (at: Date) => Math.floor(at.getTime() / 1000) * 1000;

/**
 * A late occurrence armed into a bucket that had fired opens a generation of its own. On a
 * loaded machine the late reminder's creation can outlast the bucket's second: it then has a
 * new bucket of its own (still delivered once and promptly, which is what is asserted anyway),
 * and the generation is asserted only where the bucket is the fired one; the case is printed.
 */
async function expectGenerationIfSameBucket(at: Date, lateAt: Date) {
  const same = bucketStart(lateAt) === at.getTime();
  console.log(
    `late reminder ${same ? "in the fired bucket" : "in a bucket of its own (creation outlasted the second)"}`,
  );
  if (same) expect((await bucketOf(at))?.generation).toBeGreaterThanOrEqual(1);
}

const bucketOf = async (at: Date) =>
  (
    await system.service.sql<{ generation: number; state: string }[]>`
      select generation, state from buckets where bucket = ${at.getTime()}`
  )[0];

describe("reminders due together are sent together", () => {
  test("three reminders at one instant go out in one Resend batch request, each once, none early", async () => {
    const at = secondsAhead(3000);
    const people = await remindersAt(system.api, CHUNK, at, (i) => `Together ${i}`);
    await waitFor("the three emails", () => people.every((p) => mailTo(p.email).length > 0), {
      timeoutMs: 3000 + FAULTY_AFTER_MS + 5000,
    });

    const emails = people.map((p) => mailTo(p.email));
    for (const sent of emails) expect(sent).toHaveLength(1);
    const keys = new Set(emails.map((sent) => sent[0]?.idempotencyKey));
    expect(keys.size).toBe(1); // one request …
    expect(emails.map((sent) => sent[0]?.batchIndex).sort()).toEqual([0, 1, 2]); // … through the batch endpoint
    for (const sent of emails) {
      expect(sent[0]?.receivedAt).toBeGreaterThanOrEqual(at.getTime());
      expect((sent[0]?.receivedAt ?? 0) - at.getTime()).toBeLessThan(FAULTY_AFTER_MS);
      // Per-email headers travel in the batch.
      expect(sent[0]?.headers["X-Entity-Ref-ID"]).toStartWith("reminder-");
    }
  }, 60_000);
});

describe("when the provider refuses part of a chunk", () => {
  test("one refused address fails that reminder alone, reported; the rest of the chunk is delivered", async () => {
    const at = secondsAhead(3000);
    const [bad, ...good] = await remindersAt(system.api, CHUNK, at, (i) => `Partial ${i}`);
    if (!bad) throw new Error("no reminders");
    system.mail.injectFaults([422], bad.email);

    const [failed] = await recorder.waitForCount(
      (e) => e.subject === bad.reminder.id && e.type === "reminder.failed",
      1,
    );
    await recorder.waitForCount((e) => e.topic === "dlq-events" && e.subject === bad.reminder.id, 1);
    for (const person of good) {
      await recorder.waitForCount((e) => e.subject === person.reminder.id && e.type === "reminder.sent", 1);
      expect(mailTo(person.email)).toHaveLength(1);
      expect((await deliveryOf(person.reminder.id))?.status).toBe("sent");
    }
    expect(mailTo(bad.email)).toEqual([]);
    const refused = await deliveryOf(bad.reminder.id);
    expect(refused).toMatchObject({ status: "failed" });
    expect(refused?.reason).toContain("validation_error");
    expect((failed?.data as { reason?: string }).reason).toContain("validation_error");
    // It was one request, and the refusal is not retried into a storm.
    expect(new Set(good.map((p) => mailTo(p.email)[0]?.idempotencyKey)).size).toBe(1);
    expect(system.mail.acceptedSendsFor(refused?.send_key ?? "")).toBe(1);
    await Bun.sleep(1500);
    expect(
      recorder.events.filter(
        (e) => e.topic === "reminders" && e.subject === bad.reminder.id && e.type === "reminder.failed",
      ),
    ).toHaveLength(1);
  }, 30_000);

  test("a 429 holds back only its own chunk, which backs off and is delivered once; the other chunk does not wait for it", async () => {
    const at = secondsAhead(3000);
    const people = await remindersAt(system.api, 2 * CHUNK, at, (i) => `Limited ${i}`);
    const limited = people[0] as (typeof people)[number];
    const before = system.mail.stats().rejected[429] ?? 0;
    system.mail.injectFaults([429, 429], limited.email);
    await waitFor("every email", () => people.every((p) => mailTo(p.email).length > 0), {
      timeoutMs: 30_000,
    });

    const limitedKey = mailTo(limited.email)[0]?.idempotencyKey;
    const inLimitedChunk = people.filter((p) => mailTo(p.email)[0]?.idempotencyKey === limitedKey);
    const others = people.filter((p) => !inLimitedChunk.includes(p));
    expect(inLimitedChunk).toHaveLength(CHUNK);
    expect(others).toHaveLength(CHUNK);
    const limitedAt = Math.min(...inLimitedChunk.map((p) => mailTo(p.email)[0]?.receivedAt ?? 0));
    for (const person of inLimitedChunk) {
      // Two refusals, each answered with Retry-After: 1 s, so at least two seconds late.
      expect((mailTo(person.email)[0]?.receivedAt ?? 0) - at.getTime()).toBeGreaterThanOrEqual(2000);
    }
    // The other chunk did not wait for those backoffs (how late it was on its own is the
    // benchmark's business, not a test's).
    for (const person of others) expect(mailTo(person.email)[0]?.receivedAt ?? 0).toBeLessThan(limitedAt);
    for (const person of people) expect(mailTo(person.email)).toHaveLength(1);
    expect((system.mail.stats().rejected[429] ?? 0) - before).toBe(2);
    expect(system.mail.acceptedSendsFor(limitedKey ?? "")).toBe(1);
  }, 45_000);
});

describe("arming from a bulk of events", () => {
  test("an event the database refuses is parked on dlq-events alone; the events around it are armed", async () => {
    // The fault: the database refuses this one user's occurrences, as it would a bad row.
    const sql = system.service.sql;
    await sql.unsafe(`
      create or replace function refuse_poison() returns trigger language plpgsql as $$
      begin
        if new.user_id = 'poison-user' then raise exception 'this row is poison'; end if;
        return new;
      end $$;
      create trigger refuse_poison before insert or update on occurrences
        for each row execute function refuse_poison();`);
    try {
      const partitionKey = crypto.randomUUID(); // one partition, so they travel in one bulk
      const event = (userId: string) => {
        const reminderId = crypto.randomUUID();
        return {
          specversion: "1.0" as const,
          id: crypto.randomUUID(),
          type: "reminder.scheduled",
          source: "/tests",
          subject: reminderId,
          time: new Date().toISOString(),
          datacontenttype: "application/json" as const,
          data: {
            schemaVersion: 1,
            reminderId,
            taskId: crypto.randomUUID(),
            userId,
            at: new Date(Date.now() + 3_600_000).toISOString(),
            occurrenceKey: `${reminderId}:1`,
          },
        };
      };
      const poison = event("poison-user");
      const others = [event("bulk-user"), event("bulk-user"), event("bulk-user")];
      for (const e of [others[0], poison, ...others.slice(1)]) {
        await publishEvent(system.api.sidecar, "reminders", e as never, { partitionKey });
      }

      await recorder.waitForCount((e) => e.topic === "dlq-events" && e.id === poison.id, 1);
      await waitFor("the other events to be armed", async () => {
        const rows = await sql`
          select 1 from occurrences where reminder_id = any(${others.map((e) => e.data.reminderId)}::uuid[])`;
        return rows.length === others.length;
      });
      const [processed] = await sql<{ n: number }[]>`
        select count(*)::int as n from processed_events where event_id = ${poison.id}`;
      expect(processed?.n).toBe(0); // parked, not recorded as handled: a replay is handled afresh
    } finally {
      await sql.unsafe("drop trigger refuse_poison on occurrences; drop function refuse_poison();");
    }
  }, 30_000);
});

describe("an occurrence armed after its bucket fired", () => {
  test("one scheduled a few hundred ms ahead, into a bucket being delivered, is delivered once and on time", async () => {
    const at = secondsAhead(3000);
    const [first] = await remindersAt(system.api, 1, at, () => "First in the bucket");
    // The bucket's job fires PREPARE (500 ms) ahead of its first instant.
    await waitFor("the bucket to fire", async () => (await bucketOf(at))?.state === "fired", {
      timeoutMs: 10_000,
      intervalMs: 10,
    });
    // Refused as past when the machine is so loaded that the bucket's second is over already.
    const lateAt = new Date(Math.max(at.getTime() + 300, Date.now() + 300));
    const [late] = await remindersAt(system.api, 1, lateAt, () => "Late into the bucket");
    if (!first || !late) throw new Error("no reminders");
    await waitFor("both emails", () => mailTo(first.email).length > 0 && mailTo(late.email).length > 0, {
      timeoutMs: 3000 + FAULTY_AFTER_MS + 5000,
    });

    const email = mailTo(late.email)[0];
    expect(email?.receivedAt).toBeGreaterThanOrEqual(lateAt.getTime());
    expect((email?.receivedAt ?? 0) - lateAt.getTime()).toBeLessThan(FAULTY_AFTER_MS);
    await expectGenerationIfSameBucket(at, lateAt);
    await Bun.sleep(1000);
    expect(mailTo(first.email)).toHaveLength(1);
    expect(mailTo(late.email)).toHaveLength(1);
  }, 60_000);

  test("one whose event reaches the service after its instant (Kafka was behind) is delivered once, promptly", async () => {
    const at = secondsAhead(3000);
    const [first] = await remindersAt(system.api, 1, at, () => "Delivered before the outage");
    if (!first) throw new Error("no reminder");
    await waitFor("the first email", () => mailTo(first.email).length > 0, { timeoutMs: 15_000 });

    // task-api's outbox relay stops (as if Kafka were unreachable): the next reminder's event
    // reaches Kafka, and notification-service, only after its instant, into the fired bucket.
    await system.api.relay.stop();
    // Into the fired bucket if the first email came in time for that; after it in any case.
    const lateAt = new Date(Math.max(at.getTime() + 800, Date.now() + 800));
    const [late] = await remindersAt(system.api, 1, lateAt, () => "Behind in Kafka");
    if (!late) throw new Error("no reminder");
    await Bun.sleep(Math.max(0, lateAt.getTime() + 500 - Date.now()));
    resumedRelay = startOutboxRelay(
      system.api.sql,
      system.api.sidecar,
      { ...system.api.config.outbox, schema: "task_api", pollMs: 200 },
      createLogger("task-api", "error"),
    );

    await waitFor("the late email", () => mailTo(late.email).length > 0, { timeoutMs: 60_000 });
    const [armed] = await system.service.sql<{ armed_at: Date }[]>`
      select armed_at from occurrences where reminder_id = ${late.reminder.id}`;
    const email = mailTo(late.email)[0];
    expect(armed?.armed_at.getTime()).toBeGreaterThan(lateAt.getTime()); // it really arrived late
    expect((email?.receivedAt ?? 0) - (armed?.armed_at.getTime() ?? 0)).toBeLessThan(FAULTY_AFTER_MS);
    await expectGenerationIfSameBucket(at, lateAt);
    await Bun.sleep(1000);
    expect(mailTo(late.email)).toHaveLength(1);
    expect(mailTo(first.email)).toHaveLength(1);
  }, 90_000);
});

describe("an occurrence due at once, alone in its bucket", () => {
  test("reminders created a moment before their instant, each the first of its bucket, are each delivered once, promptly", async () => {
    // Each bucket's row is new and its job due at once: the trigger can come before the arming
    // transaction that scheduled the job has committed.
    const people = await Promise.all(
      Array.from({ length: 5 }, async (_, i) => {
        const user = `user-${crypto.randomUUID()}`;
        const email = `${user}@example.com`;
        await system.api.request("PATCH", "/me/preferences", { user, body: { email } });
        const { body: task } = await system.api.request("POST", "/tasks", {
          user,
          body: { title: `Due at once ${i}` },
        });
        return { user, email, taskId: task.id as string };
      }),
    );
    let next = secondsAhead(2000).getTime();
    const created: Array<(typeof people)[number] & { at: number; reminderId: string }> = [];
    for (const person of people) {
      // A second, and a bucket, each; created 250 ms before the instant. On a loaded machine
      // the request can take longer than that and is refused as past: then the next second.
      let at = 0;
      let response: Awaited<ReturnType<typeof system.api.request>> | undefined;
      for (let attempt = 0; attempt < 5 && response?.status !== 201; attempt++) {
        at = Math.max(next, secondsAhead(1000).getTime()) + 300;
        next = at - 300 + 1000;
        await Bun.sleep(Math.max(0, at - 250 - Date.now()));
        response = await system.api.request("POST", `/tasks/${person.taskId}/reminders`, {
          user: person.user,
          body: { at: new Date(at).toISOString() },
        });
      }
      expect(response?.status).toBe(201);
      created.push({ ...person, at, reminderId: response?.body.id as string });
    }
    await waitFor("every email", () => created.every((c) => mailTo(c.email).length > 0), {
      timeoutMs: Math.max(0, Math.max(...created.map((c) => c.at)) - Date.now()) + FAULTY_AFTER_MS + 5000,
    }).catch(async (error) => {
      const states = await system.service.sql`
        select o.reminder_id, o.state, b.state as bucket_state, b.generation from occurrences o
        join buckets b on b.bucket = o.bucket and b.shard = o.shard
        where o.reminder_id = any(${created.map((c) => c.reminderId)}::uuid[])`;
      throw new Error(`${(error as Error).message}: ${JSON.stringify(states)}`);
    });
    for (const c of created) {
      const [armed] = await system.service.sql<{ armed_at: Date }[]>`
        select armed_at from occurrences where reminder_id = ${c.reminderId}`;
      const [email] = mailTo(c.email);
      expect(email?.receivedAt).toBeGreaterThanOrEqual(c.at);
      expect((email?.receivedAt ?? 0) - Math.max(c.at, armed?.armed_at.getTime() ?? 0)).toBeLessThan(
        FAULTY_AFTER_MS,
      );
    }
    await Bun.sleep(1000);
    for (const c of created) expect(mailTo(c.email)).toHaveLength(1);
  }, 90_000);
});
