import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { STARTUP_TIMEOUT_MS, TEARDOWN_TIMEOUT_MS, waitFor } from "@nudge/testing";
import { type ReminderSystem, startReminderSystem } from "./fixture.ts";

let system: ReminderSystem;
beforeAll(async () => {
  system = await startReminderSystem();
}, STARTUP_TIMEOUT_MS);
afterAll(() => system?.stop(), TEARDOWN_TIMEOUT_MS);

const REMINDERS = 1000;
const USERS = 50;
const IN_FLIGHT = 16;

describe("a burst of reminders", () => {
  test("1 000 reminders due in the same second are all delivered, none twice", async () => {
    const run = crypto.randomUUID().slice(0, 8);
    const users = Array.from({ length: USERS }, (_, i) => `burst-${run}-${i}`);
    await Promise.all(
      users.map((user) =>
        system.api.request("PATCH", "/me/preferences", { user, body: { email: `${user}@example.com` } }),
      ),
    );
    const inFlight = (work: (i: number) => Promise<void>) => {
      let next = 0;
      return Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          for (let i = next++; i < REMINDERS; i = next++) await work(i);
        }),
      );
    };
    const tasks: string[] = [];
    const began = Date.now();
    await inFlight(async (i) => {
      const { body: task } = await system.api.request("POST", "/tasks", {
        user: users[i % USERS] as string,
        body: { title: `Burst ${run} #${i}` },
      });
      tasks[i] = task.id;
    });
    // The reminders cost about what the tasks did, however loaded the machine is: the shared
    // instant lies beyond twice that, so every reminder exists before it.
    const lead = Math.max(10_000, 2 * (Date.now() - began) + 5000);
    const at = new Date(Math.ceil((Date.now() + lead) / 1000) * 1000).toISOString();
    await inFlight(async (i) => {
      const created = await system.api.request("POST", `/tasks/${tasks[i]}/reminders`, {
        user: users[i % USERS] as string,
        body: { at },
      });
      expect(created.status).toBe(201);
    });
    expect(Date.now()).toBeLessThan(Date.parse(at)); // the burst really is in the future

    const ours = () => system.mail.emails().filter((m) => m.subject.startsWith(`Reminder: Burst ${run} #`));
    await waitFor(`${REMINDERS} emails`, () => ours().length >= REMINDERS, {
      timeoutMs: 240_000,
      intervalMs: 500,
    });
    const subjects = ours().map((m) => m.subject);
    expect(new Set(subjects).size).toBe(REMINDERS); // every reminder, once
    expect(subjects).toHaveLength(REMINDERS); // and nothing twice
    expect(Math.min(...ours().map((m) => m.receivedAt))).toBeGreaterThanOrEqual(Date.parse(at));
  }, 360_000);
});
