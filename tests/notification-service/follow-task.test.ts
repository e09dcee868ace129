import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { STARTUP_TIMEOUT_MS, TEARDOWN_TIMEOUT_MS, waitFor } from "@nudge/testing";
import { type ReminderSystem, reminderTitle, startReminderSystem } from "./fixture.ts";

let system: ReminderSystem;
beforeAll(async () => {
  system = await startReminderSystem();
}, STARTUP_TIMEOUT_MS);
afterAll(() => system?.stop(), TEARDOWN_TIMEOUT_MS);

const ahead = (ms: number) => new Date(Math.ceil((Date.now() + ms) / 1000) * 1000);
const mailFor = (email: string) => system.mail.emails().filter((m) => m.to.includes(email));

async function newUser() {
  const user = `user-${crypto.randomUUID()}`;
  const email = `${user}@example.com`;
  await system.api.request("PATCH", "/me/preferences", { user, body: { email } });
  return { user, email };
}

async function taskWithReminder(user: string, title: string, at: Date, dueAt?: Date) {
  const { body: task } = await system.api.request("POST", "/tasks", {
    user,
    body: { title, dueAt: (dueAt ?? new Date(Date.now() + 3600_000)).toISOString() },
  });
  const { body: reminder } = await system.api.request("POST", `/tasks/${task.id}/reminders`, {
    user,
    body: { at: at.toISOString() },
  });
  return { task, reminder };
}

/**
 * Absence is proven with a sentinel: a reminder for the same user due just after the one that
 * must not fire. Once the sentinel's email is in, the other would have arrived already.
 */
async function expectOnlySentinel(email: string, sentinelTitle: string) {
  await waitFor(
    "the sentinel's email",
    () => mailFor(email).some((m) => reminderTitle(m.subject) === sentinelTitle),
    {
      timeoutMs: 20_000,
    },
  );
  expect(mailFor(email).map((m) => reminderTitle(m.subject))).toEqual([sentinelTitle]);
}

describe("reminders follow their task", () => {
  test("completing the task before the instant means no email", async () => {
    const { user, email } = await newUser();
    const at = ahead(3000);
    const { task } = await taskWithReminder(user, "Completed early", at);
    await taskWithReminder(user, "Sentinel A", new Date(at.getTime() + 1000));
    await system.api.request("POST", `/tasks/${task.id}/complete`, { user });
    await expectOnlySentinel(email, "Sentinel A");
  }, 30_000);

  test("deleting the reminder means no email", async () => {
    const { user, email } = await newUser();
    const at = ahead(3000);
    const { task, reminder } = await taskWithReminder(user, "Deleted reminder", at);
    await taskWithReminder(user, "Sentinel B", new Date(at.getTime() + 1000));
    const deleted = await system.api.request("DELETE", `/tasks/${task.id}/reminders/${reminder.id}`, {
      user,
    });
    expect(deleted.status).toBe(204);
    await expectOnlySentinel(email, "Sentinel B");
  }, 30_000);

  test("moving the due date moves a relative reminder: only the new instant fires", async () => {
    const { user, email } = await newUser();
    const due = ahead(4000);
    const { body: task } = await system.api.request("POST", "/tasks", {
      user,
      body: { title: "Moved", dueAt: due.toISOString() },
    });
    await system.api.request("POST", `/tasks/${task.id}/reminders`, { user, body: { before: "PT1S" } }); // due − 1 s
    const moved = new Date(due.getTime() + 3000);
    await system.api.request("PATCH", `/tasks/${task.id}`, { user, body: { dueAt: moved.toISOString() } });
    const [mail] = await waitFor(
      "the moved reminder's email",
      () => mailFor(email).length > 0 && mailFor(email),
      {
        timeoutMs: 20_000,
        intervalMs: 20,
      },
    );
    expect(mail?.receivedAt).toBeGreaterThanOrEqual(moved.getTime() - 1000);
    await taskWithReminder(user, "Sentinel C", ahead(1000));
    await waitFor("the sentinel", () => mailFor(email).length >= 2, { timeoutMs: 20_000 });
    expect(mailFor(email).filter((m) => reminderTitle(m.subject) === "Moved")).toHaveLength(1);
  }, 40_000);

  test("snoozing a reminder makes it fire again at the snooze instant", async () => {
    const { user, email } = await newUser();
    const { reminder } = await taskWithReminder(user, "Snoozed", ahead(2000));
    await waitFor("the first email", () => mailFor(email).length === 1, { timeoutMs: 15_000 });
    const until = ahead(2000);
    const snoozed = await system.api.request("POST", `/reminders/${reminder.id}/snooze`, {
      user,
      body: { until: until.toISOString() },
    });
    expect(snoozed.status).toBe(200);
    const emails = await waitFor("the snoozed email", () => mailFor(email).length === 2 && mailFor(email), {
      timeoutMs: 15_000,
      intervalMs: 20,
    });
    expect(emails[1]?.receivedAt).toBeGreaterThanOrEqual(until.getTime());
  }, 40_000);
});
