import { describe, expect, test } from "bun:test";
import { localDateTime, type ReminderContext, renderReminderEmail } from "./render.ts";

const context = (overrides: Partial<ReminderContext["task"]> = {}): ReminderContext => ({
  deliveryId: "reminder-r-1-r-1_1900000000000",
  recipient: { userId: "ada", email: "ada@example.com", timeZone: "Europe/Berlin" },
  task: {
    id: "t-1",
    title: "Submit <report>",
    priority: "high",
    dueAt: "2030-07-01T07:30:00Z",
    ...overrides,
  },
  reminder: { id: "r-1", occurrenceKey: "r-1:1900000000000", at: "2030-03-17T17:46:40Z" },
  linkBaseUrl: "https://nudge.example",
});

describe("reminder emails", () => {
  test("show the due time in the recipient's zone, the priority and links", () => {
    const email = renderReminderEmail(context());
    expect(email.subject).toBe("Reminder: Submit <report>");
    expect(email.text).toContain("Due: 2030-07-01 09:30 (Europe/Berlin)");
    expect(email.text).toContain("Priority: high");
    expect(email.text).toContain("https://nudge.example/tasks/t-1");
    expect(email.text).toContain("https://nudge.example/settings");
    expect(email.html).toContain("Submit &lt;report&gt;");
    expect(email.html).not.toContain("<report>");
  });

  test("carry a reference of their own occurrence, so clients do not thread them together", () => {
    expect(renderReminderEmail(context()).headers).toEqual({
      "X-Entity-Ref-ID": "reminder-r-1-r-1_1900000000000",
    });
  });

  test("are the same for the same context, so a repeated send repeats the same payload", () => {
    expect(renderReminderEmail(context())).toEqual(renderReminderEmail(context()));
  });

  test("say so when the task has no due date, and leave out priority none", () => {
    const email = renderReminderEmail(context({ dueAt: null, priority: "none" }));
    expect(email.text).toContain("Due: no due date");
    expect(email.text).not.toContain("Priority");
  });

  test("local times follow daylight saving", () => {
    expect(localDateTime("2030-01-15T08:00:00Z", "Europe/Berlin")).toBe("2030-01-15 09:00");
    expect(localDateTime("2030-07-15T08:00:00Z", "Europe/Berlin")).toBe("2030-07-15 10:00");
    expect(localDateTime("2030-07-15T00:30:00Z", "America/New_York")).toBe("2030-07-14 20:30");
  });
});
