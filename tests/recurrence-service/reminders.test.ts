import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { STARTUP_TIMEOUT_MS, TEARDOWN_TIMEOUT_MS, waitFor } from "@nudge/testing";
import { type ReminderSystem, startReminderSystem } from "../notification-service/fixture.ts";
import { linkClaims } from "../task-api/pages.ts";
import { startRecurrenceService, tasksOfSeries } from "./fixture.ts";

let system: ReminderSystem;
let recurrence: Awaited<ReturnType<typeof startRecurrenceService>>;
beforeAll(async () => {
  system = await startReminderSystem();
  recurrence = await startRecurrenceService(system.api);
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  await recurrence?.stop();
  await system?.stop();
}, TEARDOWN_TIMEOUT_MS);

describe("the next occurrence's reminders", () => {
  test("fire for the new due date, and the completed occurrence's reminder never does", async () => {
    const { api, mail } = system;
    const user = `user-${crypto.randomUUID()}`;
    const email = `${user}@example.com`;
    await api.request("PATCH", "/me/preferences", { user, body: { email } });
    // Every 4 seconds (RFC 5545 allows SECONDLY), so the next occurrence is seconds away.
    const firstDue = new Date(Math.ceil(Date.now() / 1000) * 1000 + 10_000);
    const created = await api.request("POST", "/tasks", {
      user,
      body: {
        title: "Stand up",
        dueAt: firstDue.toISOString(),
        timeZone: "UTC",
        recurrence: "FREQ=SECONDLY;INTERVAL=4",
      },
    });
    const task = created.body;
    await api.request("POST", `/tasks/${task.id}/reminders`, { user, body: { before: "PT5S" } });
    await api.request("POST", `/tasks/${task.id}/complete`, { user });

    const [, next] = await waitFor("the next occurrence", async () => {
      const tasks = await tasksOfSeries(api, task.series.id);
      return tasks.length === 2 && tasks;
    });
    const nextDue = firstDue.getTime() + 4000;
    expect(next?.due_at.getTime()).toBe(nextDue);
    const reminders = (await api.request("GET", `/tasks/${next?.id}/reminders`, { user })).body;
    expect(reminders.map((r: { firesAt: string }) => Date.parse(r.firesAt))).toEqual([nextDue - 5000]);

    const inbox = () => mail.emails().filter((m) => [m.to].flat().includes(email));
    const [sent] = await waitFor(
      "the next occurrence's reminder email",
      () => inbox().length > 0 && inbox(),
      {
        timeoutMs: 30_000,
        intervalMs: 50,
      },
    );
    expect(sent?.receivedAt).toBeGreaterThanOrEqual(nextDue - 5000);
    // The email is about the next occurrence: its Open link names that task.
    const open = (sent?.text ?? "").match(/^Open: (\S+)$/m)?.[1] ?? "";
    expect(linkClaims(open)).toMatchObject({ a: "open", t: next?.id });
    // The first occurrence's reminder was due 4 s before this one and was disarmed by the
    // completion: had it fired, it would have arrived first.
    expect(inbox()).toHaveLength(1);
  }, 60_000);
});
