import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { AuditEntry, AuditPage } from "@nudge/contracts";
import { type CloudEvent, publishEvent } from "@nudge/dapr";
import { STARTUP_TIMEOUT_MS, TEARDOWN_TIMEOUT_MS, waitFor } from "@nudge/testing";
import { startTaskApi, type TaskApiFixture, tokenFor } from "../task-api/fixture.ts";
import { type AuditFixture, startAuditService } from "./fixture.ts";

let api: TaskApiFixture;
let audit: AuditFixture;
beforeAll(async () => {
  api = await startTaskApi();
  audit = await startAuditService(api);
}, STARTUP_TIMEOUT_MS * 4);
afterAll(async () => {
  await audit?.stop();
  await api?.stop();
}, TEARDOWN_TIMEOUT_MS);

const user = () => `user-${crypto.randomUUID()}`;

async function history(owner: string, path: string) {
  const response = await fetch(`${audit.baseUrl}${path}`, {
    headers: { authorization: `Bearer ${await tokenFor(owner)}` },
  });
  const body = await response.json();
  return { status: response.status, body: body as AuditPage & { errors?: { field: string }[] } };
}

describe("the history of a task", () => {
  const owner = user();
  let taskId: string;

  test("a hundred changes leave a hundred rows, each with the value before and after", async () => {
    const created = await api.request("POST", "/tasks", { user: owner, body: { title: "v0" } });
    expect(created.status).toBe(201);
    taskId = created.body.id;
    for (let i = 1; i < 100; i++) {
      const patched = await api.request("PATCH", `/tasks/${taskId}`, {
        user: owner,
        body: { title: `v${i}` },
      });
      expect(patched.status).toBe(200);
    }
    await waitFor("100 history rows", async () => (await audit.historyRows(taskId)) === 100, {
      timeoutMs: 60_000,
    });

    const page = await history(owner, `/tasks/${taskId}/history?limit=200`);
    expect(page.status).toBe(200);
    expect(page.body.items).toHaveLength(100);
    expect(page.body.nextCursor).toBeNull();
    const newestFirst = page.body.items;
    expect(newestFirst.at(-1)?.type).toBe("task.created");
    expect(newestFirst.at(-1)?.changes).toContainEqual({ field: "title", before: null, after: "v0" });
    for (let i = 1; i < 100; i++) {
      const entry = newestFirst[99 - i] as AuditEntry;
      expect(entry.type).toBe("task.updated");
      expect(entry.actor).toBe(owner);
      expect(entry.version).toBe(i + 1);
      expect(entry.changes).toContainEqual({ field: "title", before: `v${i - 1}`, after: `v${i}` });
    }
  }, 90_000); // 100 writes and their history, waited for up to 60 s: more than the default 5 s on a loaded machine

  test("pages newest first with a cursor, without gaps or repeats", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/tasks/${taskId}/history?limit=30${cursor ? `&cursor=${cursor}` : ""}`;
      const page = await history(owner, query);
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((entry) => entry.eventId));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(100);
    expect(new Set(seen).size).toBe(100);
  });

  test("the same events delivered again add nothing", async () => {
    const rows = await audit.sql<{ event: CloudEvent }[]>`
      select event from audit_events where task_id = ${taskId} order by seq`;
    for (const { event } of rows) {
      await publishEvent(api.sidecar, "task-events", event, { partitionKey: taskId });
    }
    // One more real change on the same task (same partition): once it is recorded, every
    // redelivery before it has been handled.
    await api.request("POST", `/tasks/${taskId}/complete`, { user: owner });
    await waitFor("the completion to reach the history", async () => {
      const [row] =
        await audit.sql`select 1 from audit_events where task_id = ${taskId} and type = 'task.completed'`;
      return row !== undefined;
    });
    expect(await audit.historyRows(taskId)).toBe(101);
  });

  test("another user can't read it: their request answers 404, like a task that does not exist", async () => {
    const page = await history(user(), `/tasks/${taskId}/history`);
    expect(page.status).toBe(404);
    const feed = await history(user(), "/activity");
    expect(feed.status).toBe(200);
    expect(feed.body.items).toHaveLength(0);
  });

  test("the ingress path /history serves the same history", async () => {
    const page = await history(owner, `/history/tasks/${taskId}/history?limit=1`);
    expect(page.status).toBe(200);
    expect(page.body.items[0]?.type).toBe("task.completed");
  });

  test("without a valid token the history answers 401", async () => {
    const response = await fetch(`${audit.baseUrl}/tasks/${taskId}/history`);
    expect(response.status).toBe(401);
    expect(response.headers.get("content-type")).toContain("application/problem+json");
  });
});

describe("the activity feed", () => {
  test("lists a user's events newest first, filtered by type and time range", async () => {
    const owner = user();
    const before = new Date().toISOString();
    const a = await api.request("POST", "/tasks", { user: owner, body: { title: "a" } });
    const b = await api.request("POST", "/tasks", { user: owner, body: { title: "b" } });
    await api.request("POST", `/tasks/${a.body.id}/complete`, { user: owner });
    await waitFor("three events of the user", async () => {
      const feed = await history(owner, "/activity");
      return feed.body.items?.length === 3;
    });
    const completed = await history(owner, "/activity?type=task.completed");
    expect(completed.body.items.map((e) => e.taskId)).toEqual([a.body.id]);
    const all = await history(owner, `/activity?from=${encodeURIComponent(before)}`);
    expect(all.body.items.map((e) => e.type)).toEqual(["task.completed", "task.created", "task.created"]);
    expect(all.body.items[1]?.taskId).toBe(b.body.id);
    const none = await history(owner, `/activity?to=${encodeURIComponent(before)}`);
    expect(none.body.items).toHaveLength(0);
  });

  test("an event that arrives late is listed where it was made, not where it arrived", async () => {
    const owner = user();
    const first = await api.request("POST", "/tasks", { user: owner, body: { title: "first" } });
    const second = await api.request("POST", "/tasks", { user: owner, body: { title: "second" } });
    await waitFor("both creations recorded", async () => {
      const feed = await history(owner, "/activity");
      return feed.body.items?.length === 2;
    });
    // A creation made before both (its UUIDv7 id says so) that reaches audit-service only now,
    // as a replayed or parked event would: ingested last, made first.
    const [row] = await audit.sql<{ event: CloudEvent }[]>`
      select event from audit_events where task_id = ${first.body.id}`;
    const madeEarlier = `${(Date.now() - 60_000)
      .toString(16)
      .padStart(12, "0")
      .replace(/^(.{8})/, "$1-")}-7000-8000-${"0".repeat(12)}`;
    const lateTask = crypto.randomUUID();
    const event = row?.event as CloudEvent & { data: { task: { id: string } } };
    const late = {
      ...event,
      id: madeEarlier,
      data: { ...event.data, task: { ...event.data.task, id: lateTask } },
    };
    await publishEvent(api.sidecar, "task-events", late, { partitionKey: lateTask });
    await waitFor("the late event recorded", async () => (await audit.historyRows(lateTask)) === 1);

    const feed = await history(owner, "/activity");
    expect(feed.body.items.map((e) => e.taskId)).toEqual([second.body.id, first.body.id, lateTask]);
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof history>> = await history(
        owner,
        `/activity?limit=1${cursor ? `&cursor=${cursor}` : ""}`,
      );
      paged.push(...page.body.items.map((e) => e.taskId));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(paged).toEqual([second.body.id, first.body.id, lateTask]);
  });

  test("a malformed filter is a 400 naming the field, never a 500", async () => {
    const owner = user();
    const bad = await history(owner, "/activity?from=yesterday");
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.[0]?.field).toBe("query.from");
    const cursor = await history(owner, "/activity?cursor=nonsense");
    expect(cursor.status).toBe(400);
    expect(cursor.body.errors?.[0]?.field).toBe("query.cursor");
  });
});
