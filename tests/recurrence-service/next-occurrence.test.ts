import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { publishEvent } from "@nudge/dapr";
import { STARTUP_TIMEOUT_MS, TEARDOWN_TIMEOUT_MS, waitFor } from "@nudge/testing";
import { startTaskApi, type TaskApiFixture } from "../task-api/fixture.ts";
import { dailyTask, startRecurrenceService, tasksOfSeries, workflowClient } from "./fixture.ts";

let api: TaskApiFixture;
let recurrence: Awaited<ReturnType<typeof startRecurrenceService>>;
let workflows: ReturnType<typeof workflowClient>;
beforeAll(async () => {
  api = await startTaskApi();
  recurrence = await startRecurrenceService(api);
  workflows = workflowClient(recurrence.sidecar);
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  await workflows?.stop().catch(() => {});
  await recurrence?.stop();
  await api?.stop();
}, TEARDOWN_TIMEOUT_MS);

const user = () => `user-${crypto.randomUUID()}`;
const openTasks = async (owner: string) =>
  (await api.request("GET", "/tasks?status=open", { user: owner })).body.items as Array<{
    id: string;
    dueAt: string;
    series: { occurrenceIndex: number };
  }>;

/** Wait for the nextOccurrence instance of a completed task version to finish. */
async function workflowDone(taskId: string, version: number) {
  const state = await workflows.waitForWorkflowCompletion(`next-${taskId}-v${version}`, true, 30);
  return JSON.parse(state?.serializedOutput ?? "null");
}

describe("completing a recurring task", () => {
  test("creates exactly one next task, visible through the API within a second", async () => {
    const owner = user();
    const task = await dailyTask(api, owner);
    const started = performance.now();
    await api.request("POST", `/tasks/${task.id}/complete`, { user: owner });
    await waitFor("the next occurrence to be listed", async () => (await openTasks(owner)).length === 1, {
      timeoutMs: 10_000,
      intervalMs: 20,
    });
    const elapsedMs = performance.now() - started;
    expect(elapsedMs).toBeLessThan(1000);
    const [next] = await openTasks(owner);
    expect(next?.series.occurrenceIndex).toBe(1);
    // 09:xx Berlin today → the same wall-clock time tomorrow.
    expect(Date.parse(next?.dueAt ?? "")).toBe(Date.parse(task.dueAt) + 86_400_000);
    expect(await workflowDone(task.id, 2)).toMatchObject({ outcome: "created", taskId: next?.id });
    expect((await tasksOfSeries(api, task.series.id)).length).toBe(2);
  });

  test("the same completed event delivered three times still creates one next task", async () => {
    const owner = user();
    const task = await dailyTask(api, owner);
    await api.request("POST", `/tasks/${task.id}/complete`, { user: owner });
    expect(await workflowDone(task.id, 2)).toMatchObject({ outcome: "created" });
    const [completed] = await api.sql<{ event: { id: string } & Record<string, unknown> }[]>`
      select event from outbox where event->>'type' = 'task.completed' and event->>'subject' = ${task.id}`;
    for (let i = 0; i < 2; i++) {
      await publishEvent(api.sidecar, "task-events", completed?.event as never, { partitionKey: task.id });
    }
    // The copies carry the same version, so they find the finished instance and stop there.
    const reactionsTo = () => recurrence.reactions.filter((r) => r.taskId === task.id).map((r) => r.reaction);
    await waitFor("both copies to be consumed", () => reactionsTo().length === 3, { timeoutMs: 30_000 });
    expect(reactionsTo()).toEqual(["started", "already-started", "already-started"]);
    expect((await tasksOfSeries(api, task.series.id)).length).toBe(2);
  });

  test("reopening and completing again does not create a second copy", async () => {
    const owner = user();
    const task = await dailyTask(api, owner);
    await api.request("POST", `/tasks/${task.id}/complete`, { user: owner });
    expect(await workflowDone(task.id, 2)).toMatchObject({ outcome: "created" });
    await api.request("POST", `/tasks/${task.id}/reopen`, { user: owner });
    await api.request("POST", `/tasks/${task.id}/complete`, { user: owner });
    expect(await workflowDone(task.id, 4)).toMatchObject({ outcome: "existed" });
    expect((await tasksOfSeries(api, task.series.id)).map((t) => t.occurrence_index)).toEqual([0, 1]);
  });

  test("the last occurrence of a COUNT series ends it and announces the end", async () => {
    const owner = user();
    const task = await dailyTask(api, owner, { recurrence: "every day for 1 times" });
    await api.request("POST", `/tasks/${task.id}/complete`, { user: owner });
    expect(await workflowDone(task.id, 2)).toEqual({ outcome: "ended" });
    expect((await tasksOfSeries(api, task.series.id)).length).toBe(1);
    const events = await api.sql<{ type: string }[]>`
      select event->>'type' as type from outbox where event->>'subject' = ${task.series.id}`;
    expect(events.map((e) => e.type)).toEqual(["task.recurring.ended"]);
  });

  test("COUNT counts the series' occurrences in completion mode too: COUNT=2 ends after the second", async () => {
    const owner = user();
    const first = await dailyTask(api, owner, {
      recurrence: "FREQ=DAILY;COUNT=2",
      recurrenceMode: "completion",
    });
    await api.request("POST", `/tasks/${first.id}/complete`, { user: owner });
    expect(await workflowDone(first.id, 2)).toMatchObject({ outcome: "created" });
    const [second] = await openTasks(owner);
    expect(second?.series.occurrenceIndex).toBe(1);
    await api.request("POST", `/tasks/${second?.id}/complete`, { user: owner });
    // The second completion is the series' last occurrence: it ends, no third task.
    expect(await workflowDone(second?.id as string, 2)).toEqual({ outcome: "ended" });
    expect((await tasksOfSeries(api, first.series.id)).map((t) => t.occurrence_index)).toEqual([0, 1]);
    expect(await openTasks(owner)).toEqual([]);
  });

  test("a completion from the completion date counts from the day it was done", async () => {
    const owner = user();
    const due = new Date(Date.now() - 5 * 86_400_000);
    due.setUTCSeconds(0, 0);
    const task = await dailyTask(api, owner, {
      dueAt: due.toISOString(),
      timeZone: "UTC",
      recurrence: "every 3 days",
      recurrenceMode: "completion",
    });
    await api.request("POST", `/tasks/${task.id}/complete`, { user: owner });
    expect(await workflowDone(task.id, 2)).toMatchObject({ outcome: "created" });
    const [next] = await openTasks(owner);
    // From the due date the next would be 2 days ago; from today's completion it is in 3 days.
    const today = new Date();
    const expected = Date.UTC(
      today.getUTCFullYear(),
      today.getUTCMonth(),
      today.getUTCDate() + 3,
      due.getUTCHours(),
      due.getUTCMinutes(),
    );
    expect(Date.parse(next?.dueAt ?? "")).toBe(expected);
  });
});
