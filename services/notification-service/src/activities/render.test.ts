import { describe, expect, test } from "bun:test";
import { localDateTime, renderReminderEmail } from "./render.ts";

describe("reminder emails", () => {
  test("show the due time in the recipient's zone, the priority and links", () => {
    const email = renderReminderEmail({
      to: "ada@example.com",
      timeZone: "Europe/Berlin",
      linkBaseUrl: "https://nudge.example",
      task: { id: "t-1", title: "Submit <report>", priority: "high", dueAt: "2030-07-01T07:30:00Z" },
    });
    expect(email.subject).toBe("Reminder: Submit <report>");
    expect(email.text).toContain("Due: 2030-07-01 09:30 (Europe/Berlin)");
    expect(email.text).toContain("Priority: high");
    expect(email.text).toContain("https://nudge.example/tasks/t-1");
    expect(email.text).toContain("https://nudge.example/settings");
    expect(email.html).toContain("Submit &lt;report&gt;");
    expect(email.html).not.toContain("<report>");
  });

  test("local times follow daylight saving", () => {
    expect(localDateTime("2030-01-15T08:00:00Z", "Europe/Berlin")).toBe("2030-01-15 09:00");
    expect(localDateTime("2030-07-15T08:00:00Z", "Europe/Berlin")).toBe("2030-07-15 10:00");
    expect(localDateTime("2030-07-15T00:30:00Z", "America/New_York")).toBe("2030-07-14 20:30");
  });
});
