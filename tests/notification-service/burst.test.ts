import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { STARTUP_TIMEOUT_MS, TEARDOWN_TIMEOUT_MS, waitFor } from "@nudge/testing";
import { beyondCreation, inParallel, type ReminderSystem, startReminderSystem } from "./fixture.ts";

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
    const tasks: string[] = [];
    const began = Date.now();
    await inParallel(REMINDERS, IN_FLIGHT, async (i) => {
      const { body: task } = await system.api.request("POST", "/tasks", {
        user: users[i % USERS] as string,
        body: { title: `Burst ${run} #${i}` },
      });
      tasks[i] = task.id;
    });
    const at = beyondCreation(began).toISOString();
    await inParallel(REMINDERS, IN_FLIGHT, async (i) => {
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
