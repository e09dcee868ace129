/**
 * The daily digest on real parts: task-api (PostgreSQL), notification-service as its own process
 * with its daprd (the tick is a real Dapr job), and the Resend capture server. Two users in
 * different zones get theirs at their chosen local time, once each, although notification-service
 * is SIGKILLed while their digests are being sent; a user with nothing due gets none.
 */
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
import { wallClockOf } from "../../packages/recurrence/src/index.ts";
import { migrations as notificationMigrations } from "../../services/notification-service/src/migrate.ts";
import { startTaskApi, type TaskApiFixture } from "../task-api/fixture.ts";
import { notificationProcess, SCHEMA, untilRemindersFlow } from "./fixture.ts";

let api: TaskApiFixture;
let mail: MailCapture;
let sidecar: RunningSidecar;
let service: ServiceProcess | undefined;
let db: Sql;
const CHUNK = 10;
const CROWD = 60;

beforeAll(async () => {
  api = await startTaskApi();
  mail = await startMailCapture({ port: 0 });
  await notificationMigrations.apply(api.stack.databaseUrl, SCHEMA);
  // A tick every 2 s instead of every minute, and a short lease, so the test needs no clock of its
  // own; small chunks, several in flight, so a crowd is sent by concurrent senders.
  ({ app: service, sidecar } = await notificationProcess(api, mail.url, {
    DIGEST_TICK_SCHEDULE: "@every 2s",
    DIGEST_SEND_LEASE_SECONDS: "3",
    DIGEST_BATCH_SIZE: String(CHUNK),
    DIGEST_PARALLEL_CHUNKS: "4",
  }));
  db = connect(api.stack.databaseUrl, { schema: SCHEMA, max: 2, applicationName: "digest-test" });
  await untilRemindersFlow(api, db);
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  await service?.kill("SIGTERM");
  await sidecar?.stop();
  await db?.end({ timeout: 5 });
  await mail?.stop();
  await api?.stop();
}, TEARDOWN_TIMEOUT_MS);

/** "HH:MM" and YYYY-MM-DD of an instant on the zone's wall clock. */
function wallClock(instant: Date, timeZone: string) {
  const w = wallClockOf(instant, timeZone);
  const pad = (n: number) => String(n).padStart(2, "0");
  return { time: `${pad(w.hour)}:${pad(w.minute)}`, day: `${w.year}-${pad(w.month)}-${pad(w.day)}` };
}

async function digestUser(timeZone: string, at: Date, tasks: Array<{ title: string; dueAt: Date }>) {
  const user = `user-${crypto.randomUUID()}`;
  const email = `${user}@example.com`;
  const { time, day } = wallClock(at, timeZone);
  const { body } = await api.request("PATCH", "/me/preferences", {
    user,
    body: { email, timeZone, digest: { enabled: true, localTime: time } },
  });
  expect(body.digest.nextAt).toBe(at.toISOString());
  for (const task of tasks) {
    await api.request("POST", "/tasks", {
      user,
      body: { title: task.title, dueAt: task.dueAt.toISOString() },
    });
  }
  return { user, email, day, time };
}

const mailTo = (email: string) => mail.emails().filter((m) => m.to.includes(email));
const digestRow = async (user: string) =>
  (
    await db<{ status: string; day: string }[]>`
    select status, to_char(day, 'YYYY-MM-DD') as day from digests where user_id = ${user}`
  )[0];

describe("the daily digest", () => {
  test("two zones at their own local time and a crowd sharing one instant, sent by concurrent senders: once each across a SIGKILL mid-send; nothing due, no email", async () => {
    // The next whole minute at least 25 s away: that minute is "08:00" for each user, in their zone.
    const at = new Date(Math.ceil((Date.now() + 25_000) / 60_000) * 60_000);
    const hour = 3600_000;
    // Kathmandu is UTC+05:45 and St. John's UTC-03:30 (or -02:30): the same instant, different days' times.
    const kathmandu = await digestUser("Asia/Kathmandu", at, [
      { title: "Overdue report", dueAt: new Date(at.getTime() - 20 * hour) },
      { title: "Later today", dueAt: new Date(at.getTime() + 60_000) },
    ]);
    const stJohns = await digestUser("America/St_Johns", at, [
      { title: "Due in a minute", dueAt: new Date(at.getTime() + 60_000) },
    ]);
    const quiet = await digestUser("Europe/Berlin", at, []);
    expect(kathmandu.time).not.toBe(stJohns.time);
    // Enough users due at the same instant for several chunks in flight at once.
    const crowd = await Promise.all(
      Array.from({ length: CROWD }, (_, i) =>
        digestUser("Europe/Lisbon", at, [
          { title: `Crowd task ${i}`, dueAt: new Date(at.getTime() + 60_000) },
        ]),
      ),
    );
    expect(Date.now()).toBeLessThan(at.getTime());

    // A chunk's batch request reaches the provider; notification-service dies while it is in
    // flight; the provider completes it anyway, as Resend would; the service comes back.
    const held = mail.holdNextSend();
    await held.arrived;
    expect(Date.now()).toBeGreaterThanOrEqual(at.getTime());
    // While that chunk hangs, the other senders carry on: a stuck chunk holds back no one else.
    const ours = new Set([kathmandu, stJohns, ...crowd].map((user) => user.email));
    await waitFor(
      "other chunks sent while one is held",
      async () => mail.emails().filter((m) => m.to.some((to) => ours.has(to))).length >= 2 * CHUNK,
      { timeoutMs: 30_000, intervalMs: 50 },
    );
    await service?.kill("SIGKILL");
    // The kill landed mid-send: the held chunk's digests are still being sent, none of theirs out.
    const everyone = [kathmandu, stJohns, ...crowd];
    const rows = await Promise.all(everyone.map((user) => digestRow(user.user)));
    const inFlight = everyone.filter(
      (user, i) => rows[i]?.status === "sending" && !mailTo(user.email).length,
    );
    expect(inFlight.length).toBeGreaterThan(0);
    held.release();
    await service?.start();

    for (const user of [kathmandu, stJohns, ...crowd]) {
      await waitFor(
        `${user.user}'s digest recorded sent`,
        async () => (await digestRow(user.user))?.status === "sent",
        {
          timeoutMs: 60_000,
          intervalMs: 250,
        },
      );
    }
    // A few more ticks: nothing else arrives.
    await Bun.sleep(6_000);
    const [toKathmandu] = mailTo(kathmandu.email);
    expect(mailTo(kathmandu.email)).toHaveLength(1);
    expect(mailTo(stJohns.email)).toHaveLength(1);
    expect(mail.acceptedSendsFor(toKathmandu?.idempotencyKey ?? "")).toBe(1);
    // Each of the crowd got exactly one, in one of several chunks, each chunk accepted once.
    const crowdMail = crowd.map((user) => mailTo(user.email));
    expect(crowdMail.map((received) => received.length)).toEqual(crowd.map(() => 1));
    const chunks = new Set(crowdMail.map((received) => received[0]?.idempotencyKey ?? ""));
    expect(chunks.size).toBeGreaterThanOrEqual(CROWD / CHUNK);
    for (const key of chunks) expect(mail.acceptedSendsFor(key)).toBe(1);
    for (const received of [...mailTo(kathmandu.email), ...mailTo(stJohns.email)]) {
      expect(received.receivedAt).toBeGreaterThanOrEqual(at.getTime());
    }
    expect(toKathmandu?.text).toContain("OVERDUE (1)");
    expect(toKathmandu?.text).toContain("DUE TODAY (1)");
    expect(toKathmandu?.headers["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    expect(mailTo(stJohns.email)[0]?.subject).toMatch(/^Your tasks for \w{3} \d{1,2} \w{3}: 1 due today$/);

    // Nothing due: recorded, not sent.
    await waitFor(
      "the quiet user's digest recorded",
      async () => (await digestRow(quiet.user))?.status === "empty",
    );
    expect(mailTo(quiet.email)).toHaveLength(0);

    // Each user's next digest is the next local day's, at the same local time.
    for (const user of [kathmandu, stJohns, quiet]) {
      const { body } = await api.request("GET", "/me/preferences", { user: user.user });
      const next = new Date(body.digest.nextAt);
      expect(next.getTime()).toBeGreaterThan(at.getTime() + 22 * hour);
      expect(next.getTime()).toBeLessThanOrEqual(at.getTime() + 25 * hour);
      expect((await digestRow(user.user))?.day).toBe(user.day);
    }
  }, 180_000);
});
