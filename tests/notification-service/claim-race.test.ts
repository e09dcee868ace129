import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { STARTUP_TIMEOUT_MS, TEARDOWN_TIMEOUT_MS, waitFor } from "@nudge/testing";
import { deliveryIdFor } from "../../services/notification-service/src/reminders/buckets.ts";
import { FAULTY_AFTER_MS, type ReminderSystem, secondsAhead, startReminderSystem } from "./fixture.ts";

const PREPARE_MS = 500;
let system: ReminderSystem;
beforeAll(async () => {
  system = await startReminderSystem({ notification: { REMINDER_PREPARE_MS: String(PREPARE_MS) } });
}, STARTUP_TIMEOUT_MS);
afterAll(() => system?.stop(), TEARDOWN_TIMEOUT_MS);

// Which reminders change, how and when come from a printed seed (NUDGE_TEST_SEED reproduces).
const seed = Number(process.env.NUDGE_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));
let state = seed;
/** mulberry32: small, fast, and the same sequence for the same seed. */
function random() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
  return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
}

type Change = "complete" | "delete" | "snooze" | "move" | "none";
const CHANGES: Change[] = ["complete", "delete", "snooze", "move", "none"];
const REMINDERS = 40;
/** Snoozed and moved reminders fire again this long after the first instant. */
const AGAIN_MS = 3000;

interface Case {
  user: string;
  email: string;
  taskId: string;
  reminderId: string;
  occurrenceKey: string;
  change: Change;
  /** When the change is sent, ms from the first instant. */
  offsetMs: number;
  /** When task-api answered it (epoch ms): it had committed by then. */
  ackedAt?: number;
  newOccurrenceKey?: string;
}

describe("changes racing the claim of their bucket", () => {
  test(`a change task-api acknowledged before the chunk's look-up prevents the email; none is ever doubled (seed ${seed})`, async () => {
    const at = secondsAhead(6000);
    const cases: Case[] = await Promise.all(
      Array.from({ length: REMINDERS }, async (_, i): Promise<Case> => {
        const user = `user-${crypto.randomUUID()}`;
        const email = `${user}@example.com`;
        await system.api.request("PATCH", "/me/preferences", { user, body: { email } });
        const change = CHANGES[Math.floor(random() * CHANGES.length)] as Change;
        // A moved reminder is relative to its task's due date; the others are absolute.
        const dueAt = new Date(at.getTime() + 60_000);
        const { body: task } = await system.api.request("POST", "/tasks", {
          user,
          body: { title: `Race ${i}`, dueAt: dueAt.toISOString() },
        });
        const { body: reminder } = await system.api.request("POST", `/tasks/${task.id}/reminders`, {
          user,
          body: change === "move" ? { before: "PT60S" } : { at: at.toISOString() },
        });
        // From a little before the bucket's job fires (PREPARE ahead) to just after the instant.
        const offsetMs = -PREPARE_MS - 150 + Math.floor(random() * (PREPARE_MS + 400));
        return {
          user,
          email,
          taskId: task.id,
          reminderId: reminder.id,
          occurrenceKey: reminder.occurrenceKey,
          change,
          offsetMs,
        };
      }),
    );
    expect(Date.now()).toBeLessThan(at.getTime() - PREPARE_MS - 200); // set up before the race

    const again = new Date(at.getTime() + AGAIN_MS).toISOString();
    await Promise.all(
      cases
        .filter((c) => c.change !== "none")
        .map(async (c) => {
          await Bun.sleep(Math.max(0, at.getTime() + c.offsetMs - Date.now()));
          const request = {
            complete: () => system.api.request("POST", `/tasks/${c.taskId}/complete`, { user: c.user }),
            delete: () =>
              system.api.request("DELETE", `/tasks/${c.taskId}/reminders/${c.reminderId}`, { user: c.user }),
            snooze: () =>
              system.api.request("POST", `/reminders/${c.reminderId}/snooze`, {
                user: c.user,
                body: { until: again },
              }),
            move: () =>
              system.api.request("PATCH", `/tasks/${c.taskId}`, {
                user: c.user,
                body: { dueAt: new Date(Date.parse(again) + 60_000).toISOString() },
              }),
          }[c.change as Exclude<Change, "none">];
          const response = await request();
          c.ackedAt = Date.now();
          expect(response.status).toBeLessThan(300);
          if (c.change === "snooze") c.newOccurrenceKey = response.body.occurrenceKey;
          if (c.change === "move") {
            const { body: list } = await system.api.request("GET", `/tasks/${c.taskId}/reminders`, {
              user: c.user,
            });
            c.newOccurrenceKey = list[0]?.occurrenceKey;
          }
        }),
    );

    const emailsOf = (c: Case, key: string) =>
      system.mail
        .emails()
        .filter(
          (m) => m.to.includes(c.email) && m.headers["X-Entity-Ref-ID"] === deliveryIdFor(c.reminderId, key),
        );
    // Every email that must come has come (the unchanged ones, and the moved or snoozed ones at
    // their new instant); then a moment more, for anything sent twice or late to show.
    await waitFor(
      "the emails that must come",
      () =>
        cases.every((c) => {
          if (c.change === "none") return emailsOf(c, c.occurrenceKey).length > 0;
          if (c.change === "snooze" || c.change === "move")
            return c.newOccurrenceKey !== undefined && emailsOf(c, c.newOccurrenceKey).length > 0;
          return true;
        }),
      { timeoutMs: AGAIN_MS + FAULTY_AFTER_MS, intervalMs: 100 },
    );
    await Bun.sleep(2000);
    const decidedAt = new Map(
      (
        await system.service.sql<{ instance_id: string; decided_at: Date | null }[]>`
          select instance_id, decided_at from deliveries
          where reminder_id = any(${cases.map((c) => c.reminderId)}::uuid[])`
      ).map((row) => [row.instance_id, row.decided_at?.getTime()]),
    );

    const report: string[] = [];
    for (const c of cases) {
      const original = emailsOf(c, c.occurrenceKey);
      const decided = decidedAt.get(deliveryIdFor(c.reminderId, c.occurrenceKey));
      const line = `${c.change} at ${c.offsetMs} ms, acked ${c.ackedAt ? c.ackedAt - at.getTime() : "-"} ms, looked up ${decided ? decided - at.getTime() : "never"} ms: ${original.length} email(s)`;
      report.push(line);
      expect({ line, atMostOnce: original.length <= 1 }).toEqual({ line, atMostOnce: true });
      if (c.change === "none") {
        expect({ line, emails: original.length }).toEqual({ line, emails: 1 });
        continue;
      }
      // The rule: what task-api acknowledged before the look-up asked is what the look-up saw.
      if (c.ackedAt !== undefined && (decided === undefined || c.ackedAt < decided)) {
        expect({ line, emails: original.length }).toEqual({ line, emails: 0 });
      }
      if (c.change === "snooze" || c.change === "move") {
        expect(c.newOccurrenceKey).toBeDefined();
        const next = emailsOf(c, c.newOccurrenceKey as string);
        expect({ line, emailsAtTheNewInstant: next.length }).toEqual({ line, emailsAtTheNewInstant: 1 });
        expect(next[0]?.receivedAt).toBeGreaterThanOrEqual(Date.parse(again));
      }
    }
    console.log(`claim race (seed ${seed}):\n  ${report.join("\n  ")}`);
    // The race was real: some changes came before the look-up, some after.
    const changed = cases.filter((c) => c.change !== "none");
    const ackedBeforeLookUp = (c: Case) => {
      const decided = decidedAt.get(deliveryIdFor(c.reminderId, c.occurrenceKey));
      return decided === undefined || (c.ackedAt ?? 0) < decided;
    };
    const before = changed.filter(ackedBeforeLookUp).length;
    const after = changed.length - before;
    console.log(
      `claim race (seed ${seed}): ${before} changes acknowledged before the look-up, ${after} after`,
    );
    expect({ before: before > 0, after: after > 0 }).toEqual({ before: true, after: true });
  }, 90_000);
});
