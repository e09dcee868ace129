import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { jobsClient } from "@nudge/dapr";
import { STARTUP_TIMEOUT_MS, TEARDOWN_TIMEOUT_MS, waitFor } from "@nudge/testing";
import { FAULTY_AFTER_MS, type ReminderSystem, startReminderSystem } from "./fixture.ts";

let system: ReminderSystem;
beforeAll(async () => {
  system = await startReminderSystem();
}, STARTUP_TIMEOUT_MS);
afterAll(() => system?.stop(), TEARDOWN_TIMEOUT_MS);

/** A user with a reminder address and a task due in an hour. */
async function userWithTask(title = "Send the invoices") {
  const user = `user-${crypto.randomUUID()}`;
  const email = `${user}@example.com`;
  await system.api.request("PATCH", "/me/preferences", { user, body: { email, timeZone: "Europe/Berlin" } });
  const dueAt = new Date(Date.now() + 3600_000).toISOString();
  const { body: task } = await system.api.request("POST", "/tasks", {
    user,
    body: { title, priority: "high", dueAt },
  });
  return { user, email, task };
}

/** An instant `ms` from now, on a whole second so lateness is measured from a clean mark. */
const secondsAhead = (ms: number) => new Date(Math.ceil((Date.now() + ms) / 1000) * 1000);

const mailTo = (email: string) => system.mail.emails().filter((m) => [m.to].flat().includes(email));

describe("a reminder reaches the inbox on time, once", () => {
  test("a reminder 3 s ahead is emailed once, never before its instant, by one send that needed no retry", async () => {
    const { user, email, task } = await userWithTask();
    const at = secondsAhead(3000);
    const created = await system.api.request("POST", `/tasks/${task.id}/reminders`, {
      user,
      body: { at: at.toISOString() },
    });
    expect(created.status).toBe(201);

    const [mail] = await waitFor("the reminder email", () => mailTo(email).length > 0 && mailTo(email), {
      timeoutMs: 3000 + FAULTY_AFTER_MS + 5000,
      intervalMs: 20,
    });
    expect(mail?.receivedAt).toBeGreaterThanOrEqual(at.getTime());
    expect((mail?.receivedAt ?? 0) - at.getTime()).toBeLessThan(FAULTY_AFTER_MS);
    console.log(`a single reminder arrived ${(mail?.receivedAt ?? 0) - at.getTime()} ms after its instant`);
    // The chunk's first request took it: nothing refused, nothing repeated.
    expect(system.mail.acceptedSendsFor(mail?.idempotencyKey ?? "")).toBe(1);
    const { replayed, rejected } = system.mail.stats();
    expect({ replayed, rejected }).toEqual({ replayed: 0, rejected: {} });
    expect(mail?.subject).toMatch(/^Reminder: Send the invoices \(due \w{3} \d{1,2} \w{3}, \d{2}:\d{2}\)$/);
    expect(mail?.from).toBe("Nudge <reminders@nudge.test>");
    expect(mail?.text).toContain("high priority");
    expect(mail?.text).toContain(`Open: ${system.api.baseUrl}/email/links/`);
    expect(mail?.text).toMatch(/Due \w{3} \d{1,2} \w{3} \d{4}, \d{2}:\d{2} \(Europe\/Berlin\)/);
    expect(mail?.headers["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");

    // The delivery is recorded, the in-app notification exists, and nothing else arrives.
    await waitFor("the delivery row", async () => {
      const [row] = await system.service
        .sql`select status from deliveries where reminder_id = ${created.body.id}`;
      return row?.status === "sent";
    });
    const notifications = await system.api.request("GET", "/notifications", { user });
    expect(notifications.body.items).toHaveLength(1);
    expect(mailTo(email)).toHaveLength(1);
  }, 60_000);
});

describe("a job the service does not know", () => {
  test("a per-occurrence reminder job left from before buckets is dropped when it fires: not retried, not delivered", async () => {
    const jobs = jobsClient(system.sidecar);
    const reminderId = crypto.randomUUID();
    const at = new Date(Date.now() + 1000).toISOString();
    const name = `reminder-${reminderId}-${reminderId}_${Date.parse(at)}`;
    // As the per-occurrence design scheduled it: a failed trigger was retried every 2 s, 30 times.
    await jobs.schedule(name, {
      dueTime: at,
      data: {
        reminderId,
        taskId: reminderId,
        userId: "before-buckets",
        occurrenceKey: `${reminderId}:${at}`,
        at,
      },
      overwrite: true,
      failurePolicy: { constant: { interval: "2s", maxRetries: 30 } },
    });
    // Retried, it would stay in the scheduler for a minute; dropped, it is gone once it fired.
    await waitFor("the job to fire and be dropped", async () => (await jobs.get(name)) === undefined, {
      timeoutMs: 20_000,
      intervalMs: 200,
    });
    expect(
      await system.service.sql`select 1 from occurrences where reminder_id = ${reminderId}`,
    ).toHaveLength(0);
  }, 60_000);
});
