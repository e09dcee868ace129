import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { STARTUP_TIMEOUT_MS, TEARDOWN_TIMEOUT_MS } from "@nudge/testing";
import { startTaskApi, type TaskApiFixture } from "./fixture.ts";

let api: TaskApiFixture;
beforeAll(async () => {
  api = await startTaskApi();
}, STARTUP_TIMEOUT_MS);
afterAll(() => api?.stop(), TEARDOWN_TIMEOUT_MS);

const user = () => `user-${crypto.randomUUID()}`;

describe("task lifecycle over HTTP", () => {
  test("a created task reads back with its fields, an ETag and a Location", async () => {
    const alice = user();
    const created = await api.request("POST", "/tasks", {
      user: alice,
      body: {
        title: "  Plan the meetup  ",
        description: "Book a *room*",
        priority: "high",
        tags: ["Work", "events", "work"],
        dueAt: "2030-05-01T09:00:00+02:00",
        timeZone: "Europe/Berlin",
        recurrence: "rrule:freq=weekly;byday=mo",
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      title: "Plan the meetup",
      description: "Book a *room*",
      status: "open",
      priority: "high",
      tags: ["events", "Work"],
      dueAt: "2030-05-01T07:00:00.000Z",
      timeZone: "Europe/Berlin",
      completedAt: null,
      recurrence: "FREQ=WEEKLY;BYDAY=MO",
      version: 1,
    });
    expect(created.headers.get("etag")).toBe('"1"');
    expect(created.headers.get("location")).toBe(`${api.baseUrl}/tasks/${created.body.id}`);

    const read = await api.request("GET", `/tasks/${created.body.id}`, { user: alice });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
    expect(read.headers.get("etag")).toBe('"1"');
  });

  test("a task's time zone defaults to its owner's preference", async () => {
    const bob = user();
    await api.request("PATCH", "/me/preferences", { user: bob, body: { timeZone: "America/New_York" } });
    const created = await api.request("POST", "/tasks", { user: bob, body: { title: "Call mom" } });
    expect(created.body.timeZone).toBe("America/New_York");
  });

  test("patching changes only the given fields and bumps the version", async () => {
    const alice = user();
    const { body: task } = await api.request("POST", "/tasks", {
      user: alice,
      body: { title: "Draft", tags: ["a"] },
    });
    const patched = await api.request("PATCH", `/tasks/${task.id}`, {
      user: alice,
      body: { title: "Final", tags: [], dueAt: null },
      headers: { "if-match": '"1"' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ title: "Final", tags: [], version: 2, description: "" });
    expect(patched.headers.get("etag")).toBe('"2"');
  });

  test("completing and reopening set status and completedAt; repeating either changes nothing", async () => {
    const alice = user();
    const { body: task } = await api.request("POST", "/tasks", {
      user: alice,
      body: { title: "Water plants" },
    });
    const done = await api.request("POST", `/tasks/${task.id}/complete`, { user: alice });
    expect(done.body).toMatchObject({ status: "completed", version: 2 });
    expect(Date.parse(done.body.completedAt)).toBeGreaterThan(Date.parse(task.createdAt) - 1);
    const again = await api.request("POST", `/tasks/${task.id}/complete`, { user: alice });
    expect(again.body.version).toBe(2);
    const reopened = await api.request("POST", `/tasks/${task.id}/reopen`, { user: alice });
    expect(reopened.body).toMatchObject({ status: "open", completedAt: null, version: 3 });
  });

  test("a deleted task is gone", async () => {
    const alice = user();
    const { body: task } = await api.request("POST", "/tasks", { user: alice, body: { title: "Temp" } });
    const deleted = await api.request("DELETE", `/tasks/${task.id}`, { user: alice });
    expect(deleted.status).toBe(204);
    expect((await api.request("GET", `/tasks/${task.id}`, { user: alice })).status).toBe(404);
  });

  test("two PATCHes with the same If-Match: one wins, the other gets 412", async () => {
    const alice = user();
    const { body: task } = await api.request("POST", "/tasks", { user: alice, body: { title: "Race" } });
    const results = await Promise.all(
      ["one", "two"].map((title) =>
        api.request("PATCH", `/tasks/${task.id}`, {
          user: alice,
          body: { title },
          headers: { "if-match": '"1"' },
        }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 412]);
    const loser = results.find((r) => r.status === 412);
    expect(loser?.headers.get("content-type")).toContain("application/problem+json");
  });

  test("an Idempotency-Key replays the first response and refuses a different body", async () => {
    const alice = user();
    const key = crypto.randomUUID();
    const first = await api.request("POST", "/tasks", {
      user: alice,
      body: { title: "Once" },
      headers: { "idempotency-key": key },
    });
    const replay = await api.request("POST", "/tasks", {
      user: alice,
      body: { title: "Once" },
      headers: { "idempotency-key": key },
    });
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    const list = await api.request("GET", "/tasks", { user: alice });
    expect(list.body.items).toHaveLength(1);

    const different = await api.request("POST", "/tasks", {
      user: alice,
      body: { title: "Twice" },
      headers: { "idempotency-key": key },
    });
    expect(different.status).toBe(422);
    expect(different.body.errors[0].field).toBe("header.idempotency-key");
  });
});
