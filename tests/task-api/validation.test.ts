import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { STARTUP_TIMEOUT_MS, TEARDOWN_TIMEOUT_MS } from "@nudge/testing";
import { startTaskApi, type TaskApiFixture } from "./fixture.ts";

let api: TaskApiFixture;
const user = `user-${crypto.randomUUID()}`;
let taskId: string;
let tagId: string;
let dueSoonId: string;
let reminderId: string;
let recurringId: string;
const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();
beforeAll(async () => {
  api = await startTaskApi();
  taskId = (await api.request("POST", "/tasks", { user, body: { title: "Valid", tags: ["valid"] } })).body.id;
  tagId = (await api.request("GET", "/tags", { user })).body[0].id;
  dueSoonId = (await api.request("POST", "/tasks", { user, body: { title: "Due soon", dueAt: inAnHour() } }))
    .body.id;
  recurringId = (
    await api.request("POST", "/tasks", {
      user,
      body: { title: "Recurring", dueAt: inAnHour(), recurrence: "every day" },
    })
  ).body.id;
  reminderId = (await api.request("POST", `/tasks/${taskId}/reminders`, { user, body: { at: inAnHour() } }))
    .body.id;
}, STARTUP_TIMEOUT_MS);
afterAll(() => api?.stop(), TEARDOWN_TIMEOUT_MS);

interface BadRequest {
  name: string;
  method: string;
  path: () => string;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  status: number;
  /** The field the problem must name. */
  field: string;
}

const post = (name: string, body: unknown, field: string, status = 422): BadRequest => ({
  name,
  method: "POST",
  path: () => "/tasks",
  body,
  status,
  field,
});
const patch = (name: string, body: unknown, field: string, status = 422): BadRequest => ({
  name,
  method: "PATCH",
  path: () => `/tasks/${taskId}`,
  body,
  status,
  field,
});
const list = (name: string, query: string, field: string): BadRequest => ({
  name,
  method: "GET",
  path: () => `/tasks?${query}`,
  status: 400,
  field,
});

const remind = (name: string, body: unknown, field: string, task = () => taskId): BadRequest => ({
  name,
  method: "POST",
  path: () => `/tasks/${task()}/reminders`,
  body,
  status: 422,
  field,
});
const snooze = (name: string, body: unknown, field: string): BadRequest => ({
  name,
  method: "POST",
  path: () => `/reminders/${reminderId}/snooze`,
  body,
  status: 422,
  field,
});
const feed = (name: string, query: string, field: string): BadRequest => ({
  name,
  method: "GET",
  path: () => `/notifications?${query}`,
  status: 400,
  field,
});

const cases: BadRequest[] = [
  post("missing title", {}, "body.title"),
  post("blank title", { title: "   " }, "body.title"),
  post("empty title", { title: "" }, "body.title"),
  post("title of 501 characters", { title: "x".repeat(501) }, "body.title"),
  post("title of the wrong type", { title: 42 }, "body.title"),
  post(
    "description over 10 000 characters",
    { title: "t", description: "d".repeat(10_001) },
    "body.description",
  ),
  post("unknown priority", { title: "t", priority: "critical" }, "body.priority"),
  post("priority as a number", { title: "t", priority: 3 }, "body.priority"),
  post("status is not settable on create", { title: "t", status: "completed" }, "body.status"),
  post("unknown field", { title: "t", colour: "red" }, "body.colour"),
  post("tags not an array", { title: "t", tags: "work" }, "body.tags"),
  post("a blank tag", { title: "t", tags: ["ok", " "] }, "body.tags.1"),
  post("a tag of 51 characters", { title: "t", tags: ["x".repeat(51)] }, "body.tags.0"),
  post("more than 50 tags", { title: "t", tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }, "body.tags"),
  post("dueAt not a date", { title: "t", dueAt: "tomorrow" }, "body.dueAt"),
  post("dueAt without offset", { title: "t", dueAt: "2030-01-01T09:00:00" }, "body.dueAt"),
  post("dueAt as a number", { title: "t", dueAt: 1893456000 }, "body.dueAt"),
  post("unknown time zone", { title: "t", timeZone: "Mars/Olympus_Mons" }, "body.timeZone"),
  post("empty time zone", { title: "t", timeZone: "" }, "body.timeZone"),
  post("RRULE without FREQ", { title: "t", recurrence: "BYDAY=MO" }, "body.recurrence"),
  post("RRULE with a bad interval", { title: "t", recurrence: "FREQ=DAILY;INTERVAL=0" }, "body.recurrence"),
  post(
    "RRULE with COUNT and UNTIL",
    { title: "t", recurrence: "FREQ=DAILY;COUNT=2;UNTIL=20300101" },
    "body.recurrence",
  ),
  post(
    "a phrase that is not a recurrence",
    { title: "t", dueAt: inAnHour(), recurrence: "whenever I feel like it" },
    "body.recurrence",
  ),
  post(
    "a phrase with words left over",
    { title: "t", dueAt: inAnHour(), recurrence: "every day or so" },
    "body.recurrence",
  ),
  post("a recurring task without a due date", { title: "t", recurrence: "every day" }, "body.dueAt"),
  post(
    "a recurrence mode without a rule",
    { title: "t", recurrenceMode: "completion" },
    "body.recurrenceMode",
  ),
  post("skip-missed without a rule", { title: "t", skipMissed: true }, "body.skipMissed"),
  post(
    "an unknown recurrence mode",
    { title: "t", dueAt: inAnHour(), recurrence: "every day", recurrenceMode: "sometimes" },
    "body.recurrenceMode",
  ),
  {
    name: "an unknown edit scope",
    method: "PATCH",
    path: () => `/tasks/${taskId}?scope=everything`,
    body: { title: "x" },
    status: 400,
    field: "query.scope",
  },
  {
    name: "a rule change for one occurrence only",
    method: "PATCH",
    path: () => `/tasks/${recurringId}?scope=occurrence`,
    body: { recurrence: "every 2 days" },
    status: 422,
    field: "body.recurrence",
  },
  {
    name: "a recurring task losing its due date",
    method: "PATCH",
    path: () => `/tasks/${recurringId}`,
    body: { dueAt: null },
    status: 422,
    field: "body.dueAt",
  },
  {
    name: "a preview of a phrase that is not a recurrence",
    method: "GET",
    path: () => "/recurrence/preview?rule=whenever",
    status: 422,
    field: "query.rule",
  },
  {
    name: "a preview in an unknown zone",
    method: "GET",
    path: () => "/recurrence/preview?rule=every%20day&tz=Mars%2FBase",
    status: 400,
    field: "query.tz",
  },
  {
    name: "a preview without a rule",
    method: "GET",
    path: () => "/recurrence/preview",
    status: 400,
    field: "query.rule",
  },
  {
    name: "a preview of 101 occurrences",
    method: "GET",
    path: () => "/recurrence/preview?rule=every%20day&count=101",
    status: 400,
    field: "query.count",
  },
  {
    name: "occurrences of a task that does not recur",
    method: "GET",
    path: () => `/tasks/${taskId}/occurrences`,
    status: 409,
    field: "",
  },
  {
    name: "stopping the series of a task that does not exist",
    method: "POST",
    path: () => `/tasks/${crypto.randomUUID()}/series/stop`,
    status: 404,
    field: "",
  },
  post("body is an array", [{ title: "t" }], "body"),
  post("body is a string", "title", "body"),
  {
    name: "malformed JSON",
    method: "POST",
    path: () => "/tasks",
    raw: '{"title": "t",',
    headers: { "content-type": "application/json" },
    status: 400,
    field: "body",
  },
  {
    name: "body over 64 KiB",
    method: "POST",
    path: () => "/tasks",
    raw: JSON.stringify({ title: "t", description: "d".repeat(70_000) }),
    headers: { "content-type": "application/json" },
    status: 413,
    field: "",
  },
  patch("empty patch", {}, "body"),
  patch("null title", { title: null }, "body.title"),
  patch("unknown field in a patch", { version: 7 }, "body.version"),
  patch("bad priority in a patch", { priority: "" }, "body.priority"),
  {
    name: "malformed If-Match",
    method: "PATCH",
    path: () => `/tasks/${taskId}`,
    body: { title: "x" },
    headers: { "if-match": "three" },
    status: 400,
    field: "header.if-match",
  },
  {
    name: "task id that is not a UUID",
    method: "GET",
    path: () => "/tasks/not-a-uuid",
    status: 400,
    field: "path.id",
  },
  {
    name: "complete with a non-UUID id",
    method: "POST",
    path: () => "/tasks/123/complete",
    status: 400,
    field: "path.id",
  },
  list("page size of 0", "limit=0", "query.limit"),
  list("negative page size", "limit=-5", "query.limit"),
  list("page size over 200", "limit=201", "query.limit"),
  list("page size that is not a number", "limit=ten", "query.limit"),
  list("unknown sort", "sort=colour", "query.sort"),
  list("unknown status filter", "status=done", "query.status"),
  list("unknown priority filter", "priorityAtLeast=huge", "query.priorityAtLeast"),
  list("dueBefore that is not an instant", "dueBefore=soon", "query.dueBefore"),
  list("overdue that is not a boolean", "overdue=yes", "query.overdue"),
  list("unknown query parameter", "colour=red", "query.colour"),
  list("a cursor that was never issued", "cursor=bm9wZQ", "query.cursor"),
  list("a cursor of garbage", "cursor=%25%25%25", "query.cursor"),
  list("relevance sort without a search", "sort=relevance", "query.sort"),
  list("a search with no words", "q=%21%21%21", "query.q"),
  list("an empty tag list", "tags=,,", "query.tags"),
  {
    name: "tag with a bad colour",
    method: "POST",
    path: () => "/tags",
    body: { name: "c", color: "red" },
    status: 422,
    field: "body.color",
  },
  {
    name: "tag without a name",
    method: "POST",
    path: () => "/tags",
    body: { color: "#ff0000" },
    status: 422,
    field: "body.name",
  },
  {
    name: "renaming a tag to a blank-free empty name",
    method: "PATCH",
    path: () => `/tags/${tagId}`,
    body: { name: "" },
    status: 422,
    field: "body.name",
  },
  {
    name: "preferences with an unknown time zone",
    method: "PATCH",
    path: () => "/me/preferences",
    body: { timeZone: "Nowhere/Land" },
    status: 422,
    field: "body.timeZone",
  },
  {
    name: "preferences with a bad email",
    method: "PATCH",
    path: () => "/me/preferences",
    body: { email: "not-an-email" },
    status: 422,
    field: "body.email",
  },
  {
    name: "an Idempotency-Key with spaces",
    method: "POST",
    path: () => "/tasks",
    body: { title: "t" },
    headers: { "idempotency-key": "has spaces" },
    status: 400,
    field: "header.idempotency-key",
  },
  remind("reminder with a duration that is not ISO 8601", { before: "15 minutes" }, "body.before"),
  remind("reminder with both at and before", { at: "2030-01-01T09:00:00Z", before: "PT15M" }, "body.before"),
  remind("reminder with neither at nor before", {}, "body.at"),
  remind("reminder with an unknown field", { at: "2030-01-01T09:00:00Z", colour: "red" }, "body.colour"),
  remind("reminder at a past instant", { at: "2020-01-01T09:00:00Z" }, "body.at"),
  remind(
    "reminder before a due date that has already passed",
    { before: "P1D" },
    "body.before",
    () => dueSoonId,
  ),
  remind("reminder at an instant without offset", { at: "2030-01-01T09:00:00" }, "body.at"),
  remind("reminder more than a year before", { before: "P400D" }, "body.before"),
  remind("reminder with months (ambiguous length)", { before: "P1M" }, "body.before"),
  {
    name: "reminders of a task id that is not a UUID",
    method: "GET",
    path: () => "/tasks/not-a-uuid/reminders",
    status: 400,
    field: "path.id",
  },
  {
    name: "deleting a reminder id that is not a UUID",
    method: "DELETE",
    path: () => `/tasks/${taskId}/reminders/42`,
    status: 400,
    field: "path.reminderId",
  },
  {
    name: "snoozing a reminder id that is not a UUID",
    method: "POST",
    path: () => "/reminders/tomorrow/snooze",
    body: { for: "PT10M" },
    status: 400,
    field: "path.id",
  },
  {
    name: "reminder with an Idempotency-Key with spaces",
    method: "POST",
    path: () => `/tasks/${taskId}/reminders`,
    body: { at: "2030-01-01T09:00:00Z" },
    headers: { "idempotency-key": "has spaces" },
    status: 400,
    field: "header.idempotency-key",
  },
  snooze("snooze with a bad duration", { for: "soon" }, "body.for"),
  snooze("snooze for no time at all", { for: "PT0S" }, "body.for"),
  snooze("snooze until a past instant", { until: "2020-01-01T09:00:00Z" }, "body.until"),
  snooze("snooze with both until and for", { until: "2030-01-01T09:00:00Z", for: "PT5M" }, "body.until"),
  snooze("snooze with an unknown field", { for: "PT5M", reason: "busy" }, "body.reason"),
  feed("notification page size of 0", "limit=0", "query.limit"),
  feed("notification page size over 100", "limit=101", "query.limit"),
  feed("notification page size that is not a number", "limit=ten", "query.limit"),
  feed("a notification cursor that was never issued", "cursor=bm9wZQ", "query.cursor"),
  feed(
    "a notification cursor of the right shape naming an impossible instant",
    `cursor=${Buffer.from(JSON.stringify({ u: true, k: "2030-13-45 99:00:00+00", i: crypto.randomUUID() })).toString("base64url")}`,
    "query.cursor",
  ),
  feed("unknown notification query parameter", "unread=true", "query.unread"),
  {
    name: "marking a notification id that is not a UUID",
    method: "POST",
    path: () => "/notifications/first/read",
    status: 400,
    field: "path.id",
  },
];

describe("bad input gets a clear 4xx problem naming the field, never a 500", () => {
  test("the table has at least 40 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  test.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const response = await api.request(c.method, c.path(), {
      user,
      body: c.body,
      raw: c.raw,
      headers: c.headers,
    });
    expect({ status: response.status, type: response.headers.get("content-type") }).toEqual({
      status: c.status,
      type: "application/problem+json",
    });
    expect(response.body).toMatchObject({ status: c.status });
    expect(typeof response.body.type).toBe("string");
    if (c.field) expect(response.body.errors?.map((e: { field: string }) => e.field)).toContain(c.field);
  });

  test("none of the bad requests changed the task or its reminders", async () => {
    const task = await api.request("GET", `/tasks/${taskId}`, { user });
    expect(task.body).toMatchObject({ title: "Valid", version: 1 });
    const reminders = (await api.request("GET", `/tasks/${taskId}/reminders`, { user })).body;
    expect(reminders.map((r: { id: string }) => r.id)).toEqual([reminderId]);
    expect(reminders[0].occurrenceKey).toBe(`${reminderId}:${Date.parse(reminders[0].at)}`);
    const recurring = await api.request("GET", `/tasks/${recurringId}`, { user });
    expect(recurring.body).toMatchObject({
      recurrence: "FREQ=DAILY",
      version: 1,
      series: { stoppedAt: null },
    });
  });
});
