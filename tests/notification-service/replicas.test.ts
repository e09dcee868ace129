import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect, type Sql } from "@nudge/db";
import { type MailCapture, startMailCapture } from "@nudge/mail-capture";
import {
  type RunningSidecar,
  type ServiceProcess,
  STARTUP_TIMEOUT_MS,
  TEARDOWN_TIMEOUT_MS,
  waitFor,
} from "@nudge/testing";
import { migrations as notificationMigrations } from "../../services/notification-service/src/migrate.ts";
import { startTaskApi, type TaskApiFixture, tokenFor } from "../task-api/fixture.ts";
import {
  beyondCreation,
  inParallel,
  notificationProcess,
  SCHEMA,
  secondsAhead,
  untilRemindersFlow,
} from "./fixture.ts";

interface Replica {
  name: string;
  app: ServiceProcess;
  sidecar: RunningSidecar;
}

let api: TaskApiFixture;
let mail: MailCapture;
let probe: Sql;
const replicas: Replica[] = [];
let killed: Replica | undefined;

beforeAll(async () => {
  api = await startTaskApi();
  mail = await startMailCapture({ port: 0 });
  await notificationMigrations.apply(api.stack.databaseUrl, SCHEMA);
  for (const name of ["replica-1", "replica-2"]) {
    const { app, sidecar } = await notificationProcess(
      api,
      mail.url,
      { POD_NAME: name },
      `notification-service-${name}`,
    );
    replicas.push({ name, app, sidecar });
  }
  probe = connect(api.stack.databaseUrl, { schema: SCHEMA, max: 2, applicationName: "replicas-probe" });
  await untilRemindersFlow(api, probe);
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  await probe?.end();
  for (const replica of replicas) {
    if (replica === killed) continue;
    await replica.app.kill("SIGTERM");
    await replica.sidecar.stop();
  }
  await mail?.stop();
  await api?.stop();
}, TEARDOWN_TIMEOUT_MS);

const REMINDERS = 600;
const USERS = 30;
const SPREAD_MS = 6000;
const IN_FLIGHT = 16;

describe("two replicas share the reminders", () => {
  test("a burst is shared by both, and when one is SIGKILLed mid-burst every reminder is still emailed once", async () => {
    const run = crypto.randomUUID().slice(0, 8);
    const users = await Promise.all(
      Array.from({ length: USERS }, async (_, i) => {
        const id = `replicas-${run}-${i}`;
        const authorization = `Bearer ${await tokenFor(id, { expiresIn: "1h" })}`;
        await api.request("PATCH", "/me/preferences", {
          headers: { authorization },
          body: { email: `${id}@example.com` },
        });
        return { id, authorization, email: `${id}@example.com` };
      }),
    );
    const tasks: Array<{ id: string; title: string }> = [];
    const began = Date.now();
    await inParallel(REMINDERS, IN_FLIGHT, async (i) => {
      const user = users[i % USERS] as (typeof users)[number];
      const title = `Shared ${run} #${i}`;
      const { body: task } = await api.request("POST", "/tasks", {
        headers: { authorization: user.authorization },
        body: { title },
      });
      tasks[i] = { id: task.id, title };
    });
    const first = beyondCreation(began).getTime();
    const expected: Array<{ to: string; subject: string; at: number; reminderId: string }> = [];
    await inParallel(REMINDERS, IN_FLIGHT, async (i) => {
      const user = users[i % USERS] as (typeof users)[number];
      const task = tasks[i] as { id: string; title: string };
      const at = first + Math.round((i * SPREAD_MS) / (REMINDERS - 1));
      const created = await api.request("POST", `/tasks/${task.id}/reminders`, {
        headers: { authorization: user.authorization },
        body: { at: new Date(at).toISOString() },
      });
      expect(created.status).toBe(201);
      expected.push({ to: user.email, subject: `Reminder: ${task.title}`, at, reminderId: created.body.id });
    });
    expect(Date.now()).toBeLessThan(first); // every reminder exists before the burst begins

    const ours = () => mail.emails().filter((m) => m.subject.startsWith(`Reminder: Shared ${run} #`));
    // Mid-burst: a good part delivered, by both replicas, most still to come.
    await waitFor("a third of the burst", () => ours().length >= REMINDERS / 3, {
      timeoutMs: 60_000,
      intervalMs: 20,
    });
    const [byReplica] = await probe<{ replicas: string[] }[]>`
      select array_agg(distinct split_part(prepared_by, '/', 1)) as replicas from sends
      where created_at > ${new Date(first - 5000)}`;
    killed = replicas[0] as Replica;
    await Promise.all([killed.app.kill("SIGKILL"), killed.sidecar.kill("SIGKILL")]);
    const deliveredAtKill = ours().length;

    await waitFor("every reminder's email", () => new Set(ours().map((m) => m.subject)).size >= REMINDERS, {
      timeoutMs: 180_000,
      intervalMs: 250,
    }).catch(async (error) => {
      console.log(
        JSON.stringify({
          emails: new Set(ours().map((m) => m.subject)).size,
          occ: await probe`select state, count(*)::int from occurrences group by state`,
          del: await probe`select status, count(*)::int from deliveries group by status`,
          buckets: await probe`select state, count(*)::int from buckets group by state`,
          missing: await Promise.all(
            expected
              .filter((e) => !ours().some((m) => m.subject === e.subject))
              .slice(0, 5)
              .map(async (e) => ({
                at: e.at - first,
                outbox:
                  await probe`select id, sent_at, attempts, partition_key from task_api.outbox where event->>'subject' = ${e.reminderId}`,
                processed:
                  await probe`select p.* from processed_events p join task_api.outbox o on o.id::text = p.event_id where o.event->>'subject' = ${e.reminderId}`,
              })),
          ),
        }),
      );
      throw error;
    });
    await Bun.sleep(3000); // room for a late duplicate to show
    const subjects = ours().map((m) => m.subject);
    expect(new Set(subjects).size).toBe(REMINDERS); // every reminder …
    expect(subjects).toHaveLength(REMINDERS); // … once
    for (const email of ours()) {
      const wanted = expected.find((e) => e.subject === email.subject);
      expect(email.to).toEqual([wanted?.to as string]);
      expect(email.receivedAt).toBeGreaterThanOrEqual(wanted?.at as number); // never early
    }
    expect(byReplica?.replicas.sort()).toEqual(["replica-1", "replica-2"]); // both had their share
    expect(deliveredAtKill).toBeLessThan(REMINDERS); // the kill really was mid-burst
    const [sent] = await probe<{ n: number }[]>`
      select count(*)::int as n from deliveries
      where reminder_id = any(${expected.map((e) => e.reminderId)}::uuid[]) and status = 'sent'`;
    expect(sent?.n).toBe(REMINDERS);
  }, 300_000);
});
