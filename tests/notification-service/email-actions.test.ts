/**
 * Acting on a reminder email, end to end on real parts: a reminder fires, its email is captured,
 * and the links in that email — not links the test made — mark the task done (with its event,
 * its history entry and the series' next occurrence), snooze it (the email comes again at the new
 * instant, once) and unsubscribe (one click, no session: later reminders are in-app only).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { CapturedEmail } from "@nudge/mail-capture";
import {
  type EventRecorder,
  STARTUP_TIMEOUT_MS,
  startEventRecorder,
  TEARDOWN_TIMEOUT_MS,
  waitFor,
} from "@nudge/testing";
import { type AuditFixture, startAuditService } from "../audit-service/fixture.ts";
import { startRecurrenceService } from "../recurrence-service/fixture.ts";
import { tokenFor } from "../task-api/fixture.ts";
import { page, post } from "../task-api/pages.ts";
import { type ReminderSystem, startReminderSystem } from "./fixture.ts";

const SNOOZE_SECONDS = 4;
let system: ReminderSystem;
let audit: AuditFixture;
let recurrence: Awaited<ReturnType<typeof startRecurrenceService>>;
let recorder: EventRecorder;
beforeAll(async () => {
  system = await startReminderSystem({ taskApi: { EMAIL_SNOOZE_SECONDS: String(SNOOZE_SECONDS) } });
  recurrence = await startRecurrenceService(system.api);
  audit = await startAuditService(system.api);
  recorder = await startEventRecorder(system.api.stack, ["task-events"], "email-actions-recorder");
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  await recorder?.stop();
  await audit?.stop();
  await recurrence?.stop();
  await system?.stop();
}, TEARDOWN_TIMEOUT_MS);

async function newUser() {
  const user = `user-${crypto.randomUUID()}`;
  const email = `${user}@example.com`;
  await system.api.request("PATCH", "/me/preferences", { user, body: { email, timeZone: "Europe/Berlin" } });
  return { user, email };
}

const mailTo = (email: string) => system.mail.emails().filter((m) => [m.to].flat().includes(email));
const soon = (ms: number) => new Date(Math.ceil((Date.now() + ms) / 1000) * 1000);

/** The URL the email's text part gives for `label` ("Mark done: https://…"). */
function linkIn(mail: CapturedEmail, label: string): string {
  const line = (mail.text ?? "").split("\n").find((l) => l.startsWith(`${label}: `));
  if (!line) throw new Error(`no "${label}" link in the email:\n${mail.text}`);
  return line.slice(label.length + 2);
}

async function remindedTask(task: Record<string, unknown>, inMs = 2000) {
  const { user, email } = await newUser();
  const { body: created } = await system.api.request("POST", "/tasks", { user, body: task });
  const at = soon(inMs);
  await system.api.request("POST", `/tasks/${created.id}/reminders`, {
    user,
    body: { at: at.toISOString() },
  });
  const [mail] = await waitFor("the reminder email", () => mailTo(email).length > 0 && mailTo(email), {
    timeoutMs: 20_000,
    intervalMs: 50,
  });
  return { user, email, task: created, mail: mail as CapturedEmail, at };
}

describe("Mark done from the email", () => {
  test("GET changes nothing; POST completes once — API, one task.completed, history, one next occurrence; again says so", async () => {
    const dueAt = new Date(Date.now() + 3600_000).toISOString();
    const { user, task, mail } = await remindedTask({
      title: "Water the plants",
      dueAt,
      recurrence: "FREQ=DAILY",
    });
    const done = linkIn(mail, "Mark done");
    expect(done).toStartWith(`${system.api.baseUrl}/email/links/`);

    // What a mail scanner or a link preview does: fetch it, several times.
    for (let i = 0; i < 3; i++) expect((await page(done)).outcome).toBe("confirm");
    const before = await system.api.request("GET", `/tasks/${task.id}`, { user });
    expect(before.body).toMatchObject({ status: "open", version: task.version });

    const result = await post(done);
    expect(result).toMatchObject({ status: 200, outcome: "done" });
    expect(result.text).toContain("It repeats");
    expect((await system.api.request("GET", `/tasks/${task.id}`, { user })).body.status).toBe("completed");

    // The series' next occurrence, created once by recurrence-service.
    const series = task.series.id as string;
    const occurrences = async () =>
      (
        (await system.api.request("GET", "/tasks?limit=100", { user })).body.items as Array<{
          series: { id: string } | null;
        }>
      ).filter((t) => t.series?.id === series);
    await waitFor("the next occurrence", async () => (await occurrences()).length === 2, {
      timeoutMs: 30_000,
    });

    const again = await post(done);
    expect(again).toMatchObject({ status: 409, outcome: "already-used" });

    // One task.completed for the task, and one history entry of it.
    const history = async () => {
      const response = await fetch(`${audit.baseUrl}/tasks/${task.id}/history?limit=200`, {
        headers: { authorization: `Bearer ${await tokenFor(user)}` },
      });
      return ((await response.json()) as { items: Array<{ type: string }> }).items;
    };
    await waitFor("the completion in the history", async () =>
      (await history()).some((e) => e.type === "task.completed"),
    );
    // A change after the second POST, on the same task (same partition): anything doubled arrives before it.
    await system.api.request("PATCH", `/tasks/${task.id}`, { user, body: { description: "sentinel" } });
    await recorder.waitForCount((e) => e.subject === task.id && e.type === "task.updated", 1);
    expect(recorder.about(task.id).filter((e) => e.type === "task.completed")).toHaveLength(1);
    await waitFor("the sentinel in the history", async () =>
      (await history()).some((e) => e.type === "task.updated"),
    );
    expect((await history()).filter((e) => e.type === "task.completed")).toHaveLength(1);
    expect(await occurrences()).toHaveLength(2);
  }, 90_000);
});

describe("Snooze from the email", () => {
  test("the reminder moves and its email arrives again at the new instant, once; the email's other snooze link then refuses", async () => {
    const dueAt = new Date(Date.now() + 3600_000).toISOString();
    const { user, email, task, mail } = await remindedTask({ title: "Call the bank", dueAt });
    const snooze = linkIn(mail, `Snooze ${SNOOZE_SECONDS} seconds`);
    const clicked = Date.now();
    expect((await post(snooze)).outcome).toBe("snoozed");
    const [reminder] = (await system.api.request("GET", `/tasks/${task.id}/reminders`, { user })).body;
    const firesAt = new Date(reminder.firesAt).getTime();
    expect(firesAt).toBeGreaterThanOrEqual(clicked + SNOOZE_SECONDS * 1000 - 1000);

    const [, second] = await waitFor(
      "the snoozed reminder's email",
      () => mailTo(email).length >= 2 && mailTo(email),
      {
        timeoutMs: 20_000,
        intervalMs: 50,
      },
    );
    expect(second?.receivedAt).toBeGreaterThanOrEqual(firesAt);
    expect(second?.subject).toBe(mail.subject);
    expect(linkIn(second as CapturedEmail, "Mark done")).not.toBe(linkIn(mail, "Mark done"));

    // The first email's other snooze link is for an occurrence that is gone now.
    expect((await post(linkIn(mail, "Snooze until tomorrow 09:00"))).outcome).toBe("moved");
    // Once: the delivery of the snoozed occurrence is recorded sent, and nothing else came.
    await waitFor("both deliveries recorded", async () => {
      const rows = await system.service.sql`select status from deliveries where reminder_id = ${reminder.id}`;
      return rows.length === 2 && rows.every((r) => r.status === "sent");
    });
    expect(mailTo(email)).toHaveLength(2);
  }, 60_000);
});

describe("one-click unsubscribe from the email's headers", () => {
  test("a POST without any session turns emails off; the next reminder is an in-app notification and no email", async () => {
    const { user, email, task, mail } = await remindedTask({ title: "Renew the passport" });
    expect(mail.replyTo).toEqual(["help@nudge.test"]);
    expect(mail.headers["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    const targets = [...(mail.headers["List-Unsubscribe"] ?? "").matchAll(/<([^>]+)>/g)].map(
      (m) => m[1] as string,
    );
    expect(targets).toHaveLength(2);
    expect(targets[1]).toStartWith("mailto:unsubscribe@nudge.test?subject=unsubscribe%20");
    const https = targets[0] as string;
    expect(https).toStartWith(`${system.api.baseUrl}/email/unsubscribe/`);

    const response = await fetch(https, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    expect(response.status).toBe(200);
    expect((await system.api.request("GET", "/me/preferences", { user })).body.reminderEmails).toBe(false);

    const { body: reminder } = await system.api.request("POST", `/tasks/${task.id}/reminders`, {
      user,
      body: { at: soon(2000).toISOString() },
    });
    await waitFor(
      "the in-app-only delivery",
      async () => {
        const [row] = await system.service
          .sql`select status from deliveries where reminder_id = ${reminder.id}`;
        return row?.status === "notified";
      },
      { timeoutMs: 20_000 },
    );
    const feed = (await system.api.request("GET", "/notifications", { user })).body.items;
    expect(feed).toHaveLength(2);
    expect(feed.some((n: { body: string }) => n.body === "Not emailed: reminder emails are off")).toBe(true);
    expect(mailTo(email)).toHaveLength(1);
  }, 60_000);
});
