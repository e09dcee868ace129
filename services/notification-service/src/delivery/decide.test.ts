import { describe, expect, test } from "bun:test";
import { decide, type Member } from "./decide.ts";

const member: Member = {
  deliveryId: "reminder-r-r_1",
  reminderId: "r",
  occurrenceKey: "r:1",
  taskId: "t",
  userId: "ada",
  dueAt: new Date("2030-01-01T09:00:00Z"),
};
const view = {
  reminderId: "r",
  occurrenceKey: "r:1",
  currentOccurrenceKey: "r:1",
  task: { id: "t", title: "Pay rent", status: "open", priority: "none", dueAt: null },
  owner: { userId: "ada", timeZone: "Europe/Berlin", email: "ada@example.com" },
};

describe("is an occurrence still wanted", () => {
  test("an open task, the same occurrence and an address: sent, with everything the email needs", () => {
    expect(decide(member, view, "https://nudge.test")).toEqual({
      send: true,
      context: {
        deliveryId: "reminder-r-r_1",
        recipient: { userId: "ada", email: "ada@example.com", timeZone: "Europe/Berlin" },
        task: view.task,
        reminder: { id: "r", occurrenceKey: "r:1", at: "2030-01-01T09:00:00.000Z" },
        linkBaseUrl: "https://nudge.test",
      },
    });
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
    ["the user has no address", { ...view, owner: { ...view.owner, email: null } }, "no reminder email"],
  ])("%s: skipped, saying why", (_case, current, reason) => {
    const decision = decide(member, current, "https://nudge.test");
    expect(decision.send).toBe(false);
    expect(decision.send === false && decision.reason).toContain(reason);
  });
});
