import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { STARTUP_TIMEOUT_MS, TEARDOWN_TIMEOUT_MS, waitFor } from "@nudge/testing";
import { type AuditFixture, startAuditService } from "../audit-service/fixture.ts";
import { startTaskApi, type TaskApiFixture } from "../task-api/fixture.ts";
import { openEventStream, openWebSocket } from "./clients.ts";
import { type GatewayFixture, startGateway } from "./fixture.ts";

let api: TaskApiFixture;
let audit: AuditFixture;
let first: GatewayFixture;
let second: GatewayFixture | undefined;
beforeAll(async () => {
  api = await startTaskApi();
  audit = await startAuditService(api);
  first = await startGateway(api, {}, "a");
  second = await startGateway(api, {}, "b");
}, STARTUP_TIMEOUT_MS * 4);
afterAll(async () => {
  await second?.stop();
  await first?.stop();
  await audit?.stop();
  await api?.stop();
}, TEARDOWN_TIMEOUT_MS);

// Replicas join their consumer groups and sidecars stop gracefully: seconds on a loaded machine.
setDefaultTimeout(120_000);

const user = () => `user-${crypto.randomUUID()}`;

describe("two gateway replicas", () => {
  test("each replica has its own consumer group, and both deliver to their own clients", async () => {
    expect(first.podName).not.toBe(second?.podName);
    const owner = user();
    const onFirst = await openWebSocket(first.wsUrl, owner);
    const onSecond = await openWebSocket((second as GatewayFixture).wsUrl, owner);
    for (let i = 1; i <= 3; i++) {
      const created = await api.request("POST", "/tasks", { user: owner, body: { title: `t${i}` } });
      expect(created.status).toBe(201);
    }
    const [a, b] = await Promise.all([onFirst.waitForChanges(3), onSecond.waitForChanges(3)]);
    // Three tasks are three partition keys: each replica gets all three, in any order.
    const ids = (received: typeof a) => received.map((r) => r.frame.id).sort();
    expect(ids(a)).toHaveLength(3);
    expect(ids(a)).toEqual(ids(b));
    onFirst.close();
    onSecond.close();
  });

  test("a replica shutting down tells its clients to reconnect, and they resume on its replacement from history", async () => {
    const owner = user();
    const ws = await openWebSocket((second as GatewayFixture).wsUrl, owner);
    const sse = await openEventStream((second as GatewayFixture).url, owner);
    const created = await api.request("POST", "/tasks", { user: owner, body: { title: "before" } });
    const [seen] = await ws.waitForChanges(1);
    await sse.waitForChanges(1);
    const lastSeen = seen?.frame.id as string;

    await (second as GatewayFixture).stop();
    second = undefined;
    expect(await ws.waitForClose()).toEqual({
      code: 1012,
      reason: "service restart: reconnect with since=<last id>",
    });
    expect((await sse.waitForEvent("restart")).data).toMatchObject({ reason: expect.any(String) });
    await waitFor("the SSE stream to end", () => sse.ended());

    // Changes while the client has no connection. The replacement replica starts after them (its
    // new consumer group begins at the newest offset), so what it replays comes from the history.
    for (let i = 1; i <= 4; i++) {
      await api.request("PATCH", `/tasks/${created.body.id}`, { user: owner, body: { title: `gap ${i}` } });
    }
    await waitFor("the gap in the history", async () => {
      const [row] = await audit.sql<{ n: number }[]>`
        select count(*)::int as n from audit_events where user_id = ${owner} and event_id > ${lastSeen}`;
      return row?.n === 4;
    });
    second = await startGateway(api, {}, "c");
    expect(second.gateway.hub.recent.after(owner, lastSeen)).toEqual([]);
    const resumed = await openWebSocket(second.wsUrl, owner, { since: lastSeen });
    const replayed = await resumed.waitForChanges(4);
    expect(replayed.map((r) => (r.frame.data as { title: string }).title)).toEqual([
      "gap 1",
      "gap 2",
      "gap 3",
      "gap 4",
    ]);
    await api.request("POST", `/tasks/${created.body.id}/complete`, { user: owner });
    const live = await resumed.waitForChanges(5);
    expect(live[4]?.frame.data).toMatchObject({ change: "task.completed" });
    expect(new Set(resumed.ids()).size).toBe(5);
    resumed.close();
  });
});
