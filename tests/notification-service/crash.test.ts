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
import { startTaskApi, type TaskApiFixture } from "../task-api/fixture.ts";
import {
  notificationProcess,
  type Recipient,
  remindersAt,
  SCHEMA,
  secondsAhead,
  untilRemindersFlow,
} from "./fixture.ts";

let api: TaskApiFixture;
let mail: MailCapture;
let sidecar: RunningSidecar;
let probe: Sql;
// notification-service as a real process, so it can be killed at the bad moment.
let service: ServiceProcess | undefined;

// Buckets fire 2.5 s ahead of their instant, so a chunk waits, recorded, long enough to be
// killed in that state; one shard, so the reminders of a test share one chunk.
const PREPARE_MS = 2500;
const CHUNK = 4;

beforeAll(async () => {
  api = await startTaskApi();
  mail = await startMailCapture({ port: 0 });
  await notificationMigrations.apply(api.stack.databaseUrl, SCHEMA);
  ({ app: service, sidecar } = await notificationProcess(api, mail.url, {
    REMINDER_PREPARE_MS: String(PREPARE_MS),
    REMINDER_SHARDS: "1",
  }));
  probe = connect(api.stack.databaseUrl, { schema: SCHEMA, max: 1, applicationName: "crash-probe" });
  await untilRemindersFlow(api, probe);
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  await probe?.end();
  await service?.kill("SIGTERM");
  await sidecar?.stop();
  await mail?.stop();
  await api?.stop();
}, TEARDOWN_TIMEOUT_MS);

const states = (people: Recipient[]) =>
  probe<{ state: string; status: string | null; send_key: string | null }[]>`
    select o.state, d.status, d.send_key from occurrences o left join deliveries d on d.instance_id = o.delivery_id
    where o.reminder_id = any(${people.map((p) => p.reminder.id)}::uuid[])`;
/** True once every one of the people's occurrences is armed and `is` holds for it. */
const all = async (people: Recipient[], is: (s: Awaited<ReturnType<typeof states>>[number]) => boolean) => {
  const rows = await states(people);
  return rows.length === people.length && rows.every(is);
};

/** What dies, and how it comes back. */
const crashes: Array<[string, () => Promise<void>]> = [
  [
    "notification-service",
    async () => {
      await service?.kill("SIGKILL");
      await service?.start();
    },
  ],
  ["its daprd", () => sidecar.kill("SIGKILL").then(() => sidecar.restart())],
];

/**
 * The moments of a chunk's delivery: each waits for it, and returns what to do once the crash
 * has been set off (release a held send).
 */
const moments: Array<[string, (people: Recipient[]) => Promise<() => void>]> = [
  [
    "right after its bucket is claimed",
    async (people) => {
      await waitFor("the claim", () => all(people, (s) => s.state === "claimed"), {
        timeoutMs: 20_000,
        intervalMs: 5,
      });
      return () => {};
    },
  ],
  [
    "once the chunk's request is recorded, waiting for its instant",
    async (people) => {
      await waitFor(
        "the recorded request",
        () => all(people, (s) => s.status === "sending" && s.send_key !== null),
        { timeoutMs: 20_000, intervalMs: 5 },
      );
      return () => {};
    },
  ],
  [
    "mid-chunk: the provider has the request, its answer is lost",
    async () => {
      const held = mail.holdNextSend();
      await held.arrived;
      return held.release;
    },
  ],
  [
    "between the send and the record: the emails are out, nothing recorded yet",
    async (people) => {
      await waitFor(
        "the emails",
        () => people.every((p) => mail.emails().some((m) => m.to.includes(p.email))),
        { timeoutMs: 20_000, intervalMs: 2 },
      );
      return () => {};
    },
  ],
];

const cases = crashes.flatMap(([what, crash]) =>
  moments.map(([moment, reach]) => [what, moment, crash, reach] as const),
);

// Every case's reminders are armed before the first crash, each case a chunk due STAGGER_MS
// after the previous: a killed daprd leaves its Kafka consumer group for a minute or more (the
// broker waits out the rebalance timeout for the dead member), and nothing here may depend on
// events consumed after a crash. Job triggers and workflows go through the scheduler instead.
const STAGGER_MS = 20_000;
let groups: Array<{ at: Date; people: Recipient[] }> = [];
beforeAll(async () => {
  const first = secondsAhead(PREPARE_MS + 8000).getTime();
  groups = await Promise.all(
    cases.map(async (_, i) => {
      const at = new Date(first + i * STAGGER_MS);
      return { at, people: await remindersAt(api, CHUNK, at, (k) => `Crash-proof ${i}.${k}`) };
    }),
  );
  await waitFor(
    "every case's reminders to be armed",
    () =>
      all(
        groups.flatMap((g) => g.people),
        (s) => s.state !== "cancelled",
      ),
    { timeoutMs: 30_000 },
  );
}, STARTUP_TIMEOUT_MS);

describe("exactly one email per occurrence across crashes at every step of a chunk", () => {
  test.each(cases.map((c, i) => [...c, i] as const))(
    "SIGKILL of %s %s: each reminder of the chunk is emailed once, recorded once",
    async (_what, _moment, crash, reach, index) => {
      const { at, people } = groups[index] as (typeof groups)[number];
      const release = await reach(people);
      const restarted = crash();
      release(); // the provider finishes what it has, as Resend would, while its sender is dead
      await restarted;

      await waitFor("every delivery to be recorded as sent", () => all(people, (s) => s.status === "sent"), {
        timeoutMs: 90_000,
        intervalMs: 200,
      });
      for (const person of people) {
        const sent = mail.emails().filter((m) => m.to.includes(person.email));
        expect(sent).toHaveLength(1);
        expect(sent[0]?.receivedAt).toBeGreaterThanOrEqual(at.getTime());
        expect(mail.acceptedSendsFor(sent[0]?.idempotencyKey ?? "")).toBe(1);
        const { body: feed } = await api.request("GET", "/notifications", { user: person.user });
        expect(feed.items).toHaveLength(1);
      }
      expect(await states(people)).toHaveLength(CHUNK);
    },
    STAGGER_MS + 90_000,
  );
});
