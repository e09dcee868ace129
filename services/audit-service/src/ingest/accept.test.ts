import { describe, expect, test } from "bun:test";
import { accept } from "./accept.ts";
import { taskChanges } from "./changes.ts";

const task = {
  id: "0190a6c4-8a8b-7c3e-9a51-2a5f7f0e4b11",
  userId: "alice",
  title: "after",
  description: "",
  priority: "medium",
  status: "open",
  tags: [],
  dueAt: null,
  timeZone: "UTC",
  recurrence: null,
  completedAt: null,
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
  version: 2,
};
const event = (type: string, data: unknown) => ({
  specversion: "1.0",
  id: "0190a6c4-8a8b-7c3e-9a51-2a5f7f0e4b12",
  type,
  source: "/task-api",
  subject: task.id,
  time: "2026-01-01T00:00:00.000Z",
  datacontenttype: "application/json",
  data,
});

describe("what audit-service accepts from task-events", () => {
  test("an event of a type that is not a task or series event is someone else's, not poison", () => {
    expect(accept(event("nudge.smoke.ping", { note: "hi" })).kind).toBe("other");
  });

  test("a task event without its task is poison", () => {
    expect(accept(event("task.updated", { schemaVersion: 2, changedFields: [], version: 2 })).kind).toBe(
      "invalid",
    );
  });

  test("a schemaVersion 1 task event (before series existed) is history, read as a task without series", () => {
    const accepted = accept(
      event("task.updated", { schemaVersion: 1, task, changedFields: ["title"], version: 2 }),
    );
    expect(accepted.kind).toBe("task");
    if (accepted.kind === "task") expect(accepted.event.data.task.series).toBeNull();
  });
});

describe("before and after values", () => {
  const updated = accept(
    event("task.updated", {
      schemaVersion: 2,
      task: { ...task, series: null },
      changedFields: ["title"],
      version: 2,
    }),
  );

  test("come from the previous snapshot and the event's task", () => {
    if (updated.kind !== "task") throw new Error("expected a task event");
    expect(taskChanges(updated.event, { title: "before" })).toEqual([
      { field: "title", before: "before", after: "after" },
    ]);
  });

  test("are null before when no earlier state is known", () => {
    if (updated.kind !== "task") throw new Error("expected a task event");
    expect(taskChanges(updated.event, null)).toEqual([{ field: "title", before: null, after: "after" }]);
  });
});
