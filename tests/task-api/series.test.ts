import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { STARTUP_TIMEOUT_MS, TEARDOWN_TIMEOUT_MS } from "@nudge/testing";
import { APP_API_TOKEN, startTaskApi, type TaskApiFixture } from "./fixture.ts";

let api: TaskApiFixture;
beforeAll(async () => {
  api = await startTaskApi();
}, STARTUP_TIMEOUT_MS);
afterAll(() => api?.stop(), TEARDOWN_TIMEOUT_MS);

const user = () => `user-${crypto.randomUUID()}`;
const internal = { "dapr-api-token": APP_API_TOKEN };
const nextOccurrence = (
  seriesId: string,
  body: { occurrenceIndex: number; dueAt: string; previousTaskId: string },
) => api.request("POST", `/internal/series/${seriesId}/occurrences`, { headers: internal, body });

async function recurringTask(owner: string, body: Record<string, unknown>) {
  const created = await api.request("POST", "/tasks", {
    user: owner,
    body: { title: "Water the plants", ...body },
  });
  expect(created.status).toBe(201);
  return created.body;
}

describe("recurring tasks through the API", () => {
  test("a phrase is stored as its normalized RRULE and the task starts a series at index 0", async () => {
    const task = await recurringTask(user(), {
      dueAt: "2030-03-29T08:00:00Z",
      timeZone: "Europe/Berlin",
      recurrence: "every weekday at 9am",
      recurrenceMode: "completion",
    });
    expect(task.recurrence).toBe("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9;BYMINUTE=0;BYSECOND=0");
    expect(task.series).toMatchObject({
      occurrenceIndex: 0,
      anchor: "2030-03-29T08:00:00.000Z",
      mode: "completion",
      skipMissed: false,
      stoppedAt: null,
    });
  });

  test("a recurring task says in words what its rule means, so the client can confirm it; a one-off says nothing", async () => {
    const owner = user();
    const task = await recurringTask(owner, {
      dueAt: "2030-03-29T08:00:00Z",
      timeZone: "Europe/Berlin",
      recurrence: "every 2nd tuesday",
    });
    expect(task.recurrenceDescription).toMatch(/^every 2 weeks on Tuesday/);
    const read = await api.request("GET", `/tasks/${task.id}`, { user: owner });
    expect(read.body.recurrenceDescription).toBe(task.recurrenceDescription);
    const oneOff = await recurringTask(owner, { dueAt: "2030-03-29T08:00:00Z" });
    expect(oneOff.recurrenceDescription).toBeNull();
  });

  test("a preview shows a rule's next instants in a zone and creates nothing", async () => {
    const owner = user();
    const query = new URLSearchParams({
      rule: "every weekday at 9am",
      tz: "Europe/Berlin",
      start: "2030-03-29T00:00:00Z",
      count: "3",
    });
    const preview = await api.request("GET", `/recurrence/preview?${query}`, { user: owner });
    expect(preview.status).toBe(200);
    expect(preview.body).toEqual({
      rule: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9;BYMINUTE=0;BYSECOND=0",
      description: "every week on weekdays at 9:00",
      from: "text",
      timeZone: "Europe/Berlin",
      start: "2030-03-29T00:00:00.000Z",
      // The start is the first (DTSTART), then Friday 09:00 CET and Monday 09:00 CEST: the
      // clock changed on Sunday.
      occurrences: ["2030-03-29T00:00:00.000Z", "2030-03-29T08:00:00.000Z", "2030-04-01T07:00:00.000Z"],
    });
    expect((await api.request("GET", "/tasks", { user: owner })).body.items).toEqual([]);
  });

  test("a recurring task lists its series' next occurrences with their indexes", async () => {
    const task = await recurringTask(user(), {
      dueAt: "2030-03-30T08:00:00Z",
      timeZone: "Europe/Berlin",
      recurrence: "FREQ=DAILY",
    });
    const preview = await api.request("GET", `/tasks/${task.id}/occurrences?count=2`, { user: "nobody" });
    expect(preview.status).toBe(404);
    const owner = await api.sql<{ user_id: string }[]>`select user_id from tasks where id = ${task.id}`;
    const own = await api.request("GET", `/tasks/${task.id}/occurrences?count=2`, {
      user: owner[0]?.user_id,
    });
    expect(own.body).toEqual({
      taskId: task.id,
      seriesId: task.series.id,
      rule: "FREQ=DAILY",
      timeZone: "Europe/Berlin",
      occurrences: [
        { occurrenceIndex: 1, dueAt: "2030-03-31T07:00:00.000Z" },
        { occurrenceIndex: 2, dueAt: "2030-04-01T07:00:00.000Z" },
      ],
    });
  });

  test("the next occurrence is created once per index, from the template, with reminders moved along", async () => {
    const owner = user();
    const task = await recurringTask(owner, {
      dueAt: "2030-01-07T09:00:00Z",
      timeZone: "UTC",
      recurrence: "FREQ=WEEKLY;BYDAY=MO",
      priority: "high",
      tags: ["garden"],
    });
    await api.request("POST", `/tasks/${task.id}/reminders`, { user: owner, body: { before: "PT30M" } });
    await api.request("POST", `/tasks/${task.id}/reminders`, {
      user: owner,
      body: { at: "2030-01-06T18:00:00Z" },
    });
    const input = { occurrenceIndex: 1, dueAt: "2030-01-14T09:00:00Z", previousTaskId: task.id };
    const [first, again] = [
      await nextOccurrence(task.series.id, input),
      await nextOccurrence(task.series.id, input),
    ];
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body.id).toBe(first.body.id);
    expect(first.body).toMatchObject({
      title: "Water the plants",
      priority: "high",
      tags: ["garden"],
      dueAt: "2030-01-14T09:00:00.000Z",
      recurrence: "FREQ=WEEKLY;BYDAY=MO",
      series: { id: task.series.id, occurrenceIndex: 1 },
    });
    const reminders = (await api.request("GET", `/tasks/${first.body.id}/reminders`, { user: owner })).body;
    expect(reminders.map((r: { before: string | null; firesAt: string }) => [r.before, r.firesAt])).toEqual([
      ["PT30M", "2030-01-14T08:30:00.000Z"],
      [null, "2030-01-13T18:00:00.000Z"],
    ]);
    const rows = await api.sql`select id from tasks where series_id = ${task.series.id}`;
    expect(rows.length).toBe(2);
  });

  test("editing one occurrence leaves the series; editing this and future changes what comes next", async () => {
    const owner = user();
    const task = await recurringTask(owner, {
      dueAt: "2030-01-01T09:00:00Z",
      timeZone: "UTC",
      recurrence: "every day",
    });
    const once = await api.request("PATCH", `/tasks/${task.id}?scope=occurrence`, {
      user: owner,
      body: { title: "Water the plants (and the lawn)" },
    });
    expect(once.body.title).toBe("Water the plants (and the lawn)");
    const second = await nextOccurrence(task.series.id, {
      occurrenceIndex: 1,
      dueAt: "2030-01-02T09:00:00Z",
      previousTaskId: task.id,
    });
    expect(second.body.title).toBe("Water the plants");
    await api.request("PATCH", `/tasks/${second.body.id}`, {
      user: owner,
      body: { title: "Water the herbs", recurrence: "every 2 days" },
    });
    const third = await nextOccurrence(task.series.id, {
      occurrenceIndex: 2,
      dueAt: "2030-01-04T09:00:00Z",
      previousTaskId: second.body.id,
    });
    expect(third.body).toMatchObject({ title: "Water the herbs", recurrence: "FREQ=DAILY;INTERVAL=2" });
  });

  test("stopping a series keeps the task, announces the end once, and refuses a next occurrence", async () => {
    const owner = user();
    const task = await recurringTask(owner, { dueAt: "2030-01-01T09:00:00Z", recurrence: "every day" });
    const stopped = await api.request("POST", `/tasks/${task.id}/series/stop`, { user: owner });
    expect(stopped.status).toBe(200);
    expect(stopped.body.recurrence).toBeNull();
    expect(stopped.body.series.stoppedAt).not.toBeNull();
    expect(stopped.body.version).toBe(2);
    const twice = await api.request("POST", `/tasks/${task.id}/series/stop`, { user: owner });
    expect(twice.body.version).toBe(2);
    const next = await nextOccurrence(task.series.id, {
      occurrenceIndex: 1,
      dueAt: "2030-01-02T09:00:00Z",
      previousTaskId: task.id,
    });
    expect(next.status).toBe(409);
    const ended = await api.sql<{ type: string }[]>`
      select event->>'type' as type from outbox where event->>'subject' = ${task.series.id}`;
    expect(ended.map((e) => e.type)).toEqual(["task.recurring.ended"]);
  });

  test("a series that ran out is marked ended once and creates nothing more", async () => {
    const owner = user();
    const task = await recurringTask(owner, {
      dueAt: "2030-01-01T09:00:00Z",
      recurrence: "every day for 1 times",
    });
    const end = () =>
      api.request("POST", `/internal/series/${task.series.id}/end`, {
        headers: internal,
        body: { lastTaskId: task.id },
      });
    expect((await end()).body.endedAt).not.toBeNull();
    expect((await end()).status).toBe(200);
    const events = await api.sql<{ data: { reason: string; occurrenceIndex: number } }[]>`
      select event->'data' as data from outbox where event->>'subject' = ${task.series.id}`;
    expect(events.map((e) => [e.data.reason, e.data.occurrenceIndex])).toEqual([["exhausted", 0]]);
    const next = await nextOccurrence(task.series.id, {
      occurrenceIndex: 1,
      dueAt: "2030-01-02T09:00:00Z",
      previousTaskId: task.id,
    });
    expect(next.status).toBe(409);
  });

  test("renaming or deleting a tag changes what the next occurrence is tagged with", async () => {
    const owner = user();
    const task = await recurringTask(owner, {
      dueAt: "2030-01-01T09:00:00Z",
      recurrence: "every day",
      tags: ["garden", "weekly-chores"],
    });
    const tags = (await api.request("GET", "/tags", { user: owner })).body as Array<{
      id: string;
      name: string;
    }>;
    const id = (name: string) => tags.find((t) => t.name === name)?.id;
    await api.request("PATCH", `/tags/${id("garden")}`, { user: owner, body: { name: "Garden" } });
    await api.request("DELETE", `/tags/${id("weekly-chores")}`, { user: owner });
    const next = await nextOccurrence(task.series.id, {
      occurrenceIndex: 1,
      dueAt: "2030-01-02T09:00:00Z",
      previousTaskId: task.id,
    });
    expect(next.body.tags).toEqual(["Garden"]);
  });
});
