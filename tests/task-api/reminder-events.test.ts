import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ReminderEvent, type ReminderEventData } from "@nudge/contracts";
import {
  type EventRecorder,
  type RecordedEvent,
  STARTUP_TIMEOUT_MS,
  startEventRecorder,
  TEARDOWN_TIMEOUT_MS,
  waitFor,
} from "@nudge/testing";
import { Value } from "@sinclair/typebox/value";
import { startTaskApi, type TaskApiFixture } from "./fixture.ts";

let api: TaskApiFixture;
let recorder: EventRecorder;
beforeAll(async () => {
  api = await startTaskApi();
  // An app-id of its own: its consumer group never shares `reminders` with another suite's recorder.
  recorder = await startEventRecorder(api.stack, ["reminders"], "reminder-event-recorder");
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  await recorder?.stop();
  await api?.stop();
}, TEARDOWN_TIMEOUT_MS);

const HOUR = 3_600_000;
const fromNow = (ms: number) => new Date(Date.now() + ms).toISOString();
const user = `user-${crypto.randomUUID()}`;

async function createTask(body: Record<string, unknown> = {}) {
  return (await api.request("POST", "/tasks", { user, body: { title: "Renew passport", ...body } })).body as {
    id: string;
  };
}

async function addReminder(taskId: string, body: unknown) {
  const created = await api.request("POST", `/tasks/${taskId}/reminders`, { user, body });
  expect(created.status).toBe(201);
  return created.body as { id: string; firesAt: string | null; occurrenceKey: string | null };
}

/** task-api's events about one reminder, in arrival order. */
const eventsOf = (reminderId: string) =>
  recorder.about(reminderId, "reminders").filter((e) => e.source === "/task-api");
const typesOf = (reminderId: string) => eventsOf(reminderId).map((e) => e.type.replace("reminder.", ""));
const dataOf = (event: RecordedEvent | undefined) => event?.data as ReminderEventData;
const waitForEvents = (reminderId: string, count: number) =>
  recorder.waitForCount((e) => e.subject === reminderId && e.source === "/task-api", count);

/** Every event must satisfy the published contract, and travel on its task's partition. */
async function expectValid(reminderIds: string[], taskId: string) {
  for (const id of reminderIds) {
    for (const event of eventsOf(id) as object[]) {
      // What the recorder and the sidecar added is not part of the event.
      const { topic, receivedAt, pubsubname, traceid, tracestate, ...cloudEvent } = event as Record<
        string,
        unknown
      >;
      expect([...Value.Errors(ReminderEvent, cloudEvent)].map((e) => `${e.path}: ${e.message}`)).toEqual([]);
      expect(event).toMatchObject({
        source: "/task-api",
        subject: id,
        data: { reminderId: id, taskId, userId: user },
      });
    }
  }
  const keys = await api.sql<{ partition_key: string }[]>`
    select distinct partition_key from outbox where topic = 'reminders' and event->>'subject' = any(${reminderIds})`;
  expect(keys.map((k) => k.partition_key)).toEqual([taskId]);
}

/** Nothing more arrives: the sentinel shares the task's partition, so a duplicate would come first. */
async function afterSentinel(taskId: string) {
  const sentinel = await addReminder(taskId, { at: fromNow(100 * HOUR) });
  await waitForEvents(sentinel.id, 1);
}

describe("reminders are announced on `reminders`, once per occurrence change", () => {
  test("moving the due date reschedules a relative reminder, not an absolute one", async () => {
    const task = await createTask({ dueAt: fromNow(48 * HOUR) });
    const absolute = await addReminder(task.id, { at: fromNow(24 * HOUR) });
    const relative = await addReminder(task.id, { before: "PT2H" });
    const due = new Date(Date.now() + 72 * HOUR);
    await api.request("PATCH", `/tasks/${task.id}`, { user, body: { dueAt: due.toISOString() } });
    await waitForEvents(relative.id, 2);
    await afterSentinel(task.id);

    expect(typesOf(absolute.id)).toEqual(["scheduled"]);
    expect(typesOf(relative.id)).toEqual(["scheduled", "rescheduled"]);
    const [scheduled, rescheduled] = eventsOf(relative.id);
    expect(dataOf(scheduled)).toMatchObject({
      schemaVersion: 1,
      at: relative.firesAt,
      occurrenceKey: relative.occurrenceKey,
    });
    const movedTo = new Date(due.getTime() - 2 * HOUR);
    expect(dataOf(rescheduled)).toMatchObject({
      at: movedTo.toISOString(),
      occurrenceKey: `${relative.id}:${movedTo.getTime()}`,
      previousOccurrenceKey: relative.occurrenceKey,
    });
    expect(dataOf(eventsOf(absolute.id)[0])).toMatchObject({ occurrenceKey: absolute.occurrenceKey });
    await expectValid([absolute.id, relative.id], task.id);
  }, 60_000);

  test("completing cancels armed reminders; reopening re-arms those still ahead, with the same keys", async () => {
    const task = await createTask({ dueAt: fromNow(48 * HOUR) });
    const absolute = await addReminder(task.id, { at: fromNow(24 * HOUR) });
    const relative = await addReminder(task.id, { before: "P1D" });
    await api.request("POST", `/tasks/${task.id}/complete`, { user });
    const disarmed = (await api.request("GET", `/tasks/${task.id}/reminders`, { user })).body;
    expect(disarmed.map((r: { firesAt: string | null }) => r.firesAt)).toEqual([null, null]);
    await api.request("POST", `/tasks/${task.id}/reopen`, { user });
    await waitForEvents(absolute.id, 3);
    await waitForEvents(relative.id, 3);
    await afterSentinel(task.id);

    for (const reminder of [absolute, relative]) {
      expect(typesOf(reminder.id)).toEqual(["scheduled", "cancelled", "scheduled"]);
      const [, cancelled, rearmed] = eventsOf(reminder.id);
      expect(dataOf(cancelled)).toMatchObject({
        at: reminder.firesAt,
        occurrenceKey: reminder.occurrenceKey,
      });
      expect(dataOf(rearmed)).toMatchObject({ at: reminder.firesAt, occurrenceKey: reminder.occurrenceKey });
    }
    await expectValid([absolute.id, relative.id], task.id);
  }, 60_000);

  test("reopening does not re-arm a reminder whose instant passed while the task was completed", async () => {
    const task = await createTask();
    const soon = await addReminder(task.id, { at: fromNow(1500) });
    await api.request("POST", `/tasks/${task.id}/complete`, { user });
    await waitFor("the reminder's instant to pass", () => Date.now() > Date.parse(soon.firesAt as string));
    const { body: reopened } = await api.request("POST", `/tasks/${task.id}/reopen`, { user });
    expect(reopened.status).toBe("open");
    await afterSentinel(task.id);

    expect(typesOf(soon.id)).toEqual(["scheduled", "cancelled"]);
    const [after] = (await api.request("GET", `/tasks/${task.id}/reminders`, { user })).body;
    expect(after).toMatchObject({ id: soon.id, firesAt: null, occurrenceKey: null });
    await expectValid([soon.id], task.id);
  }, 60_000);

  test("deleting a reminder cancels its occurrence; an unarmed one goes silently", async () => {
    const task = await createTask();
    const armed = await addReminder(task.id, { at: fromNow(5 * HOUR) });
    const unarmed = await addReminder(task.id, { before: "PT10M" }); // no due date: never armed
    for (const reminder of [armed, unarmed]) {
      expect(
        (await api.request("DELETE", `/tasks/${task.id}/reminders/${reminder.id}`, { user })).status,
      ).toBe(204);
    }
    await waitForEvents(armed.id, 2);
    await afterSentinel(task.id);

    expect(typesOf(armed.id)).toEqual(["scheduled", "cancelled"]);
    expect(dataOf(eventsOf(armed.id)[1])).toMatchObject({ occurrenceKey: armed.occurrenceKey });
    expect(typesOf(unarmed.id)).toEqual([]);
    await expectValid([armed.id], task.id);
  }, 60_000);

  test("deleting the task cancels its armed reminders", async () => {
    const task = await createTask({ dueAt: fromNow(30 * HOUR) });
    const first = await addReminder(task.id, { at: fromNow(3 * HOUR) });
    const second = await addReminder(task.id, { before: "PT30M" });
    await api.request("DELETE", `/tasks/${task.id}`, { user });
    await waitForEvents(first.id, 2);
    await waitForEvents(second.id, 2);
    // No sentinel can share a deleted task's partition: the outbox shows each event was written
    // once, and the relay publishes each row once (see events.test.ts).
    const [written] = await api.sql<{ n: number }[]>`
      select count(*)::int as n from outbox where topic = 'reminders' and event->>'subject' = any(${[first.id, second.id]})`;
    expect(written?.n).toBe(4);
    for (const reminder of [first, second]) {
      expect(typesOf(reminder.id)).toEqual(["scheduled", "cancelled"]);
      expect(dataOf(eventsOf(reminder.id)[1])).toMatchObject({ occurrenceKey: reminder.occurrenceKey });
    }
    await expectValid([first.id, second.id], task.id);
  }, 60_000);

  test("snoozing reschedules the occurrence, naming the one it replaces", async () => {
    const task = await createTask();
    const reminder = await addReminder(task.id, { at: fromNow(HOUR) });
    const { body: snoozed } = await api.request("POST", `/reminders/${reminder.id}/snooze`, {
      user,
      body: { for: "PT3H" },
    });
    await waitForEvents(reminder.id, 2);
    await afterSentinel(task.id);

    expect(typesOf(reminder.id)).toEqual(["scheduled", "rescheduled"]);
    expect(dataOf(eventsOf(reminder.id)[1])).toMatchObject({
      at: snoozed.firesAt,
      occurrenceKey: snoozed.occurrenceKey,
      previousOccurrenceKey: reminder.occurrenceKey,
    });
    await expectValid([reminder.id], task.id);
  }, 60_000);

  test("a refused change writes no event: the reminder row and its event share one transaction", async () => {
    const task = await createTask({ dueAt: fromNow(HOUR) });
    expect(
      (await api.request("POST", `/tasks/${task.id}/reminders`, { user, body: { before: "P1D" } })).status,
    ).toBe(422);
    const [rows] = await api.sql<{ reminders: number; events: number }[]>`
      select (select count(*)::int from reminders where task_id = ${task.id}) as reminders,
             (select count(*)::int from outbox where topic = 'reminders' and partition_key = ${task.id}) as events`;
    expect(rows).toEqual({ reminders: 0, events: 0 });
  });
});
