import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  type EventRecorder,
  STARTUP_TIMEOUT_MS,
  startEventRecorder,
  TEARDOWN_TIMEOUT_MS,
} from "@nudge/testing";
import { startTaskApi, type TaskApiFixture } from "./fixture.ts";

let api: TaskApiFixture;
let recorder: EventRecorder;
beforeAll(async () => {
  api = await startTaskApi();
  recorder = await startEventRecorder(api.stack, ["task-events"]);
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  await recorder?.stop();
  await api?.stop();
}, TEARDOWN_TIMEOUT_MS);

describe("tags", () => {
  test("are unique per user ignoring case, and another user may use the same name", async () => {
    const alice = `user-${crypto.randomUUID()}`;
    const created = await api.request("POST", "/tags", {
      user: alice,
      body: { name: "Errands", color: "#00aa55" },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: "Errands", color: "#00aa55" });
    const duplicate = await api.request("POST", "/tags", { user: alice, body: { name: "errands" } });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.errors[0].field).toBe("body.name");
    const bob = await api.request("POST", "/tags", {
      user: `user-${crypto.randomUUID()}`,
      body: { name: "errands" },
    });
    expect(bob.status).toBe(201);
  });

  test("renaming a tag renames it on its tasks, each of which gets a new version and an event", async () => {
    const alice = `user-${crypto.randomUUID()}`;
    const { body: task } = await api.request("POST", "/tasks", {
      user: alice,
      body: { title: "Buy milk", tags: ["shop"] },
    });
    const [tag] = (await api.request("GET", "/tags", { user: alice })).body;
    const renamed = await api.request("PATCH", `/tags/${tag.id}`, {
      user: alice,
      body: { name: "Shopping" },
    });
    expect(renamed.body.name).toBe("Shopping");
    expect((await api.request("GET", `/tasks/${task.id}`, { user: alice })).body).toMatchObject({
      tags: ["Shopping"],
      version: 2,
    });
    const events = await recorder.waitForCount((e) => e.subject === task.id, 2);
    expect(events[1]).toMatchObject({
      type: "task.updated",
      data: { changedFields: ["tags"], task: { tags: ["Shopping"] } },
    });
  });

  test("deleting a tag detaches it; its tasks remain", async () => {
    const alice = `user-${crypto.randomUUID()}`;
    const { body: task } = await api.request("POST", "/tasks", {
      user: alice,
      body: { title: "Renew passport", tags: ["admin", "travel"] },
    });
    const tags = (await api.request("GET", "/tags", { user: alice })).body as Array<{
      id: string;
      name: string;
    }>;
    const admin = tags.find((t) => t.name === "admin");
    expect((await api.request("DELETE", `/tags/${admin?.id}`, { user: alice })).status).toBe(204);
    expect((await api.request("GET", `/tasks/${task.id}`, { user: alice })).body).toMatchObject({
      tags: ["travel"],
      version: 2,
    });
    expect(
      (await api.request("GET", "/tags", { user: alice })).body.map((t: { name: string }) => t.name),
    ).toEqual(["travel"]);
  });
});
