import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { TaskEvent, TaskUpdate } from "@nudge/contracts";
import {
  type EventRecorder,
  STARTUP_TIMEOUT_MS,
  startEventRecorder,
  TEARDOWN_TIMEOUT_MS,
} from "@nudge/testing";
import { Value } from "@sinclair/typebox/value";
import { startTaskApi, type TaskApiFixture } from "./fixture.ts";

let api: TaskApiFixture;
let recorder: EventRecorder;
beforeAll(async () => {
  api = await startTaskApi();
  recorder = await startEventRecorder(api.stack, ["task-events", "task-updates"]);
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  await recorder?.stop();
  await api?.stop();
}, TEARDOWN_TIMEOUT_MS);

/** Every event the tests observe must satisfy the published contract. */
function expectValid(events: Array<{ topic: string }>) {
  for (const event of events) {
    const { topic, receivedAt, pubsubname, traceid, tracestate, ...cloudEvent } = event as Record<
      string,
      unknown
    >;
    const schema = topic === "task-events" ? TaskEvent : TaskUpdate;
    const errors = [...Value.Errors(schema, cloudEvent)].map((e) => `${e.path}: ${e.message}`);
    expect(errors).toEqual([]);
  }
}

describe("every change is published as a CloudEvent through the outbox", () => {
  test("one event per mutation, with the right type, in order, valid against the contract", async () => {
    const alice = `user-${crypto.randomUUID()}`;
    const { body: task } = await api.request("POST", "/tasks", {
      user: alice,
      body: { title: "Publish me", tags: ["x"] },
    });
    await api.request("PATCH", `/tasks/${task.id}`, { user: alice, body: { priority: "urgent" } });
    await api.request("PATCH", `/tasks/${task.id}`, { user: alice, body: { priority: "urgent" } }); // no change, no event
    await api.request("POST", `/tasks/${task.id}/complete`, { user: alice });
    await api.request("POST", `/tasks/${task.id}/reopen`, { user: alice });
    await api.request("DELETE", `/tasks/${task.id}`, { user: alice });

    const full = await recorder.waitForCount((e) => e.subject === task.id && e.topic === "task-events", 5);
    const slim = await recorder.waitForCount((e) => e.subject === task.id && e.topic === "task-updates", 5);
    expect(full.map((e) => e.type)).toEqual([
      "task.created",
      "task.updated",
      "task.completed",
      "task.reopened",
      "task.deleted",
    ]);
    expect(full.map((e) => (e.data as { version: number }).version)).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(full.map((e) => e.id)).size).toBe(5);
    expect(full[0]).toMatchObject({ source: "/task-api", subject: task.id, specversion: "1.0" });
    expect(full[1]?.data).toMatchObject({
      changedFields: ["priority"],
      task: { priority: "urgent", userId: alice },
    });
    expect(slim.map((e) => (e.data as { change: string }).change)).toEqual(full.map((e) => e.type));
    expectValid([...full, ...slim]);

    // Nothing more arrives for this task: the sentinel below shares its partition, so any
    // duplicate would have been delivered before it.
    const { body: other } = await api.request("POST", "/tasks", { user: alice, body: { title: "Sentinel" } });
    await recorder.waitForCount((e) => e.subject === other.id && e.topic === "task-events", 1);
    expect(recorder.about(task.id, "task-events")).toHaveLength(5);
  }, 60_000);

  test("a request's traceparent is carried into its event", async () => {
    const alice = `user-${crypto.randomUUID()}`;
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const { body: task } = await api.request("POST", "/tasks", {
      user: alice,
      body: { title: "Traced" },
      headers: { traceparent },
    });
    const [event] = await recorder.waitForCount((e) => e.subject === task.id && e.topic === "task-events", 1);
    expect(event?.traceparent?.split("-")[1]).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
  }, 30_000);

  test("an invalid or oversized trace context is dropped at the edge: never stored, the write and its event go through", async () => {
    const alice = `user-${crypto.randomUUID()}`;
    // (A 9 000-byte header no longer even reaches the route: the edge answers 431 for headers
    // over 8 KiB. Below that, a traceparent of any size or shape that is not W3C is dropped.)
    const oversized = `00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-${"a".repeat(6000)}`;
    for (const traceparent of [oversized, "00-XYZ-01", `00-${"0".repeat(32)}-b7ad6b7169203331-01`]) {
      const { status, body: task } = await api.request("POST", "/tasks", {
        user: alice,
        body: { title: "Badly traced" },
        headers: { traceparent, tracestate: "rojo=00f067aa0ba902b7" },
      });
      expect(status).toBe(201);
      const [row] = await api.sql<{ event: Record<string, unknown> }[]>`
        select event from outbox where partition_key = ${task.id} and topic = 'task-events'`;
      expect(row?.event.traceparent).toBeUndefined();
      expect(row?.event.tracestate).toBeUndefined();
      await recorder.waitForCount((e) => e.subject === task.id && e.topic === "task-events", 1);
    }
  }, 60_000);

  test("a valid tracestate travels with its traceparent; an invalid one is dropped alone", async () => {
    const alice = `user-${crypto.randomUUID()}`;
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const stored = async (tracestate: string) => {
      const { body: task } = await api.request("POST", "/tasks", {
        user: alice,
        body: { title: "Traced with state" },
        headers: { traceparent, tracestate },
      });
      const [row] = await api.sql<{ event: Record<string, unknown> }[]>`
        select event from outbox where partition_key = ${task.id} and topic = 'task-events'`;
      return row?.event;
    };
    expect(await stored("rojo=00f067aa0ba902b7")).toMatchObject({
      traceparent,
      tracestate: "rojo=00f067aa0ba902b7",
    });
    const invalid = await stored(`a=${"b".repeat(6000)}`);
    expect(invalid).toMatchObject({ traceparent });
    expect(invalid?.tracestate).toBeUndefined();
  }, 30_000);

  test("with the sidecar down, 200 writes succeed; once it is back all 200 events arrive once, in order per task", async () => {
    const alice = `user-${crypto.randomUUID()}`;
    await api.sidecar.kill("SIGKILL");
    const taskIds: string[] = [];
    for (let i = 0; i < 20; i++) {
      const created = await api.request("POST", "/tasks", { user: alice, body: { title: `Outage ${i}` } });
      expect(created.status).toBe(201);
      taskIds.push(created.body.id);
      for (let v = 1; v < 10; v++) {
        const patched = await api.request("PATCH", `/tasks/${created.body.id}`, {
          user: alice,
          body: { title: `Outage ${i} v${v + 1}` },
        });
        expect(patched.status).toBe(200);
      }
    }
    const [outbox] = await api.sql<{ unsent: number }[]>`
      select count(*)::int as unsent from outbox where sent_at is null and (event->>'subject') = any(${taskIds}::text[])`;
    expect(outbox?.unsent).toBe(400); // 200 on task-events + 200 on task-updates, all waiting

    await api.sidecar.restart();

    const ids = new Set(taskIds);
    const arrived = await recorder.waitForCount(
      (e) => ids.has(e.subject ?? "") && e.topic === "task-events",
      200,
      60_000,
    );
    expect(new Set(arrived.map((e) => e.id)).size).toBe(200);
    for (const id of taskIds) {
      const versions = recorder.about(id, "task-events").map((e) => (e.data as { version: number }).version);
      expect(versions).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    }
  }, 120_000);
});
