import { describe, expect, test } from "bun:test";
import type { ReminderEmailLinks } from "@nudge/contracts";
import { decide, type Member } from "./decide.ts";

const member: Member = {
  deliveryId: "reminder-r-r_1",
  reminderId: "r",
  occurrenceKey: "r:1",
  taskId: "t",
  userId: "ada",
  dueAt: new Date("2030-01-01T09:00:00Z"),
};
const links: ReminderEmailLinks = {
  done: "https://nudge.test/email/links/done",
  snoozeHour: "https://nudge.test/email/links/hour",
  snoozeLabel: "Snooze 1 hour",
  snoozeTomorrow: "https://nudge.test/email/links/tomorrow",
  open: "https://nudge.test/email/links/open",
  calendar: null,
  settings: "https://nudge.test/email/settings/s",
  unsubscribe: "https://nudge.test/email/unsubscribe/u",
  unsubscribeToken: "u",
};
const view = {
  reminderId: "r",
  occurrenceKey: "r:1",
  currentOccurrenceKey: "r:1",
  task: { id: "t", title: "Pay rent", status: "open", priority: "none", dueAt: null },
  owner: { userId: "ada", timeZone: "Europe/Berlin", email: "ada@example.com", reminderEmails: true },
  links,
};
const sender = { from: "Nudge <reminders@nudge.test>", replyTo: "help@nudge.test" };

describe("is an occurrence still wanted, and how does it reach its user", () => {
  test("an open task, the same occurrence and an address: an email with the links minted for it", () => {
    expect(decide(member, view, sender)).toEqual({
      kind: "email",
      context: {
        deliveryId: "reminder-r-r_1",
        recipient: { email: "ada@example.com", timeZone: "Europe/Berlin" },
        task: view.task,
        links,
        sender,
      },
    });
  });

  test.each([
    ["reminder emails are off (an unsubscribe)", { ...view.owner, reminderEmails: false }, "emails are off"],
    ["the user has no address", { ...view.owner, email: null }, "no email address"],
  ])("%s: the in-app notification only, saying why", (_case, owner, reason) => {
    const decision = decide(member, { ...view, owner }, sender);
    expect(decision.kind).toBe("in-app");
    expect(decision.kind === "in-app" && decision.title).toBe("Pay rent");
    expect(decision.kind === "in-app" && decision.reason).toContain(reason);
  });

  test.each([
    ["the reminder or its task is gone", undefined, "no longer exists"],
    [
      "the task is gone",
      { ...view, task: null, owner: null, currentOccurrenceKey: null },
      "no longer exists",
    ],
    ["the task is completed", { ...view, task: { ...view.task, status: "completed" } }, "completed"],
    ["the reminder moved (snoozed, new due date)", { ...view, currentOccurrenceKey: "r:2" }, "moved"],
    ["the reminder was cancelled", { ...view, currentOccurrenceKey: null }, "moved"],
    [
      "a completed task of someone who unsubscribed",
      {
        ...view,
        task: { ...view.task, status: "completed" },
        owner: { ...view.owner, reminderEmails: false },
      },
      "completed",
    ],
    ["task-api minted no links (not armed)", { ...view, links: null }, "not armed"],
  ])("%s: skipped, saying why", (_case, current, reason) => {
    const decision = decide(member, current, sender);
    expect(decision.kind).toBe("skip");
    expect(decision.kind === "skip" && decision.reason).toContain(reason);
  });
});
