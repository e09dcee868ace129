import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { STARTUP_TIMEOUT_MS, TEARDOWN_TIMEOUT_MS } from "@nudge/testing";
import { startTaskApi, type TaskApiFixture } from "./fixture.ts";

let api: TaskApiFixture;
beforeAll(async () => {
  api = await startTaskApi();
}, STARTUP_TIMEOUT_MS);
afterAll(() => api?.stop(), TEARDOWN_TIMEOUT_MS);

const user = () => `user-${crypto.randomUUID()}`;

async function recurring(owner: string, body: Record<string, unknown>) {
  const created = await api.request("POST", "/tasks", {
    user: owner,
    body: { title: "Water the plants", timeZone: "Europe/Berlin", ...body },
  });
  expect(created.status).toBe(201);
  return created.body;
}

describe("skipping one occurrence of a recurring task", () => {
  test("moves the task to the series' next occurrence without completing it, in one recorded change", async () => {
    const owner = user();
    // Mondays and Thursdays at 09:00 Berlin; the first is Monday 2030-03-25 (CET).
    const task = await recurring(owner, {
      dueAt: "2030-03-25T08:00:00Z",
      recurrence: "FREQ=WEEKLY;BYDAY=MO,TH",
    });
    const reminder = await api.request("POST", `/tasks/${task.id}/reminders`, {
      user: owner,
      body: { at: "2030-03-25T07:00:00Z" },
    });
    const skipped = await api.request("POST", `/tasks/${task.id}/skip`, {
      user: owner,
      headers: { "if-match": '"1"' },
    });
    expect(skipped.status).toBe(200);
    expect(skipped.headers.get("etag")).toBe('"2"');
    expect(skipped.body).toMatchObject({
      id: task.id,
      status: "open",
      completedAt: null,
      dueAt: "2030-03-28T08:00:00.000Z", // Thursday 09:00 CET
      version: 2,
      series: { id: task.series.id, occurrenceIndex: 1 },
    });
    const rows = await api.sql`select id from tasks where series_id = ${task.series.id}`;
    expect(rows.length).toBe(1);
    const events = await api.sql<{ type: string; changed: string[] }[]>`
      select event->>'type' as type, event->'data'->'changedFields' as changed from outbox
      where event->>'subject' = ${task.id} and topic = 'task-events' order by id`;
    expect(events.map((e) => e.type)).toEqual(["task.created", "task.updated"]);
    expect(events[1]?.changed).toEqual(expect.arrayContaining(["dueAt", "series"]));
    // The absolute reminder kept its distance to the due date: an hour before.
    const reminders = (await api.request("GET", `/tasks/${task.id}/reminders`, { user: owner })).body;
    expect(reminders).toMatchObject([{ id: reminder.body.id, at: "2030-03-28T07:00:00.000Z" }]);
    // Skipping again goes on along the series: Monday 2030-04-01 09:00 CEST.
    const again = await api.request("POST", `/tasks/${task.id}/skip`, { user: owner });
    expect(again.body).toMatchObject({ dueAt: "2030-04-01T07:00:00.000Z", series: { occurrenceIndex: 2 } });
  });

  test("the last occurrence of a COUNT series has nothing to skip to (409), and nothing changes", async () => {
    const owner = user();
    const task = await recurring(owner, { dueAt: "2030-01-01T09:00:00Z", recurrence: "FREQ=DAILY;COUNT=2" });
    expect((await api.request("POST", `/tasks/${task.id}/skip`, { user: owner })).status).toBe(200);
    const last = await api.request("POST", `/tasks/${task.id}/skip`, { user: owner });
    expect(last.status).toBe(409);
    expect(last.headers.get("content-type")).toBe("application/problem+json");
    expect((await api.request("GET", `/tasks/${task.id}`, { user: owner })).body).toMatchObject({
      dueAt: "2030-01-02T09:00:00.000Z",
      version: 2,
    });
  });

  test("a task that is not recurring, a completed one and a stale If-Match are refused", async () => {
    const owner = user();
    const plain = (await api.request("POST", "/tasks", { user: owner, body: { title: "once" } })).body;
    expect((await api.request("POST", `/tasks/${plain.id}/skip`, { user: owner })).status).toBe(409);
    const task = await recurring(owner, { dueAt: "2030-01-01T09:00:00Z", recurrence: "every day" });
    expect(
      (await api.request("POST", `/tasks/${task.id}/skip`, { user: owner, headers: { "if-match": '"7"' } }))
        .status,
    ).toBe(412);
    await api.request("POST", `/tasks/${task.id}/complete`, { user: owner });
    expect((await api.request("POST", `/tasks/${task.id}/skip`, { user: owner })).status).toBe(409);
    expect((await api.request("POST", `/tasks/${task.id}/skip`, { user: user() })).status).toBe(404);
  });
});
