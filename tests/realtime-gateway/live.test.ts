import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { publishEvent } from "@nudge/dapr";
import { STARTUP_TIMEOUT_MS, TEARDOWN_TIMEOUT_MS, waitFor } from "@nudge/testing";
import { type AuditFixture, startAuditService } from "../audit-service/fixture.ts";
import { startTaskApi, type TaskApiFixture, tokenFor } from "../task-api/fixture.ts";
import { openEventStream, openWebSocket } from "./clients.ts";
import { type GatewayFixture, startGateway } from "./fixture.ts";
import { stalledWebSocket } from "./stalled.ts";

let api: TaskApiFixture;
let audit: AuditFixture;
let gateway: GatewayFixture;
beforeAll(async () => {
  api = await startTaskApi();
  audit = await startAuditService(api);
  gateway = await startGateway(api, { REALTIME_HEARTBEAT_SECONDS: "0.5" });
}, STARTUP_TIMEOUT_MS * 4);
afterAll(async () => {
  await gateway?.stop();
  await audit?.stop();
  await api?.stop();
}, TEARDOWN_TIMEOUT_MS);

// Changes travel through Kafka and two sidecars; on a loaded 2-core machine that takes seconds.
setDefaultTimeout(60_000);

const user = () => `user-${crypto.randomUUID()}`;

/** A task-updates CloudEvent as task-api's relay publishes it. */
function taskUpdate(owner: string, taskId: string, version: number, title: string) {
  const eventId = Bun.randomUUIDv7();
  return {
    specversion: "1.0" as const,
    id: Bun.randomUUIDv7(),
    type: "task.changed",
    source: "/task-api",
    subject: taskId,
    time: new Date().toISOString(),
    datacontenttype: "application/json" as const,
    data: {
      schemaVersion: 2,
      eventId,
      taskId,
      userId: owner,
      change: version === 1 ? "task.created" : "task.updated",
      version,
      title,
      status: "open",
      priority: "none",
      dueAt: null,
      updatedAt: new Date().toISOString(),
    },
  };
}

/** Event ids audit-service recorded for a user after `since`, oldest first: the truth to compare with. */
async function recordedIds(owner: string, since: string, count: number) {
  return waitFor(`${count} recorded events of ${owner}`, async () => {
    const rows = await audit.sql<{ event_id: string }[]>`
      select event_id from audit_events where user_id = ${owner} and event_id > ${since}
      order by event_id`;
    return rows.length >= count && rows.map((row) => row.event_id);
  });
}

describe("pushing changes to their owner", () => {
  test("a change by user A reaches both of A's connections, in order, and never B's", async () => {
    const [a, b] = [user(), user()];
    const a1 = await openWebSocket(gateway.wsUrl, a);
    const a2 = await openWebSocket(gateway.wsUrl, a);
    const b1 = await openWebSocket(gateway.wsUrl, b);
    expect(a1.protocol).toBe("nudge.v1");
    // How fast a change arrives is measured by `bun run bench realtime`, not asserted here.
    for (let i = 1; i <= 5; i++) {
      const created = await api.request("POST", "/tasks", { user: a, body: { title: `change ${i}` } });
      expect(created.status).toBe(201);
      const [first, second] = await Promise.all([a1.waitForChanges(i, 5000), a2.waitForChanges(i, 5000)]);
      for (const arrived of [first[i - 1], second[i - 1]]) {
        expect(arrived?.frame.data).toMatchObject({ taskId: created.body.id, change: "task.created" });
      }
    }

    // B's own change arrives after every one of A's: had any of A's gone to B, it would be here.
    const mine = await api.request("POST", "/tasks", { user: b, body: { title: "b's" } });
    const [only] = await b1.waitForChanges(1);
    expect(only?.frame.data).toMatchObject({ taskId: mine.body.id });
    expect(b1.changes()).toHaveLength(1);
    expect(a1.ids()).toEqual(a2.ids());
    for (const client of [a1, a2, b1]) client.close();
  });
});

describe("resuming after a disconnect", () => {
  test("reconnecting with the last id seen replays the gap, then continues live, each change once", async () => {
    const owner = user();
    const first = await openWebSocket(gateway.wsUrl, owner);
    const created = await api.request("POST", "/tasks", { user: owner, body: { title: "v0" } });
    const taskId = created.body.id;
    const [seen] = await first.waitForChanges(1);
    const lastSeen = seen?.frame.id as string;
    first.close();

    // Missed while away; recorded in the history before the client comes back.
    for (let i = 1; i <= 5; i++) {
      await api.request("PATCH", `/tasks/${taskId}`, { user: owner, body: { title: `away ${i}` } });
    }
    await recordedIds(owner, lastSeen, 5);
    // More changes race the reconnect: some arrive live during the replay (the seam).
    const racing = (async () => {
      for (let i = 1; i <= 5; i++) {
        await api.request("PATCH", `/tasks/${taskId}`, { user: owner, body: { title: `racing ${i}` } });
      }
    })();
    const again = await openWebSocket(gateway.wsUrl, owner, { since: lastSeen });
    await racing;
    const expected = await recordedIds(owner, lastSeen, 10);
    await again.waitForChanges(10);
    // One more change after everything: once it is here, any duplicate would have arrived too.
    await api.request("PATCH", `/tasks/${taskId}`, { user: owner, body: { title: "after" } });
    await again.waitForChanges(11);
    const ids = again.ids();
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.slice(0, 10).sort()).toEqual(expected);
    expect(ids).not.toContain(lastSeen);
    const ready = again.received.find((r) => r.frame.type === "ready");
    expect(ready?.frame.replayed).toBeGreaterThanOrEqual(5);
    again.close();
  });

  test("SSE resumes from Last-Event-ID and sends heartbeats while quiet", async () => {
    const owner = user();
    const stream = await openEventStream(gateway.url, owner);
    const created = await api.request("POST", "/tasks", { user: owner, body: { title: "sse" } });
    const [seen] = await stream.waitForChanges(1);
    expect(seen?.id).toBe(seen?.data.id as string);
    await waitFor("a heartbeat comment", () => stream.comments.length > 0);
    stream.close();

    for (let i = 1; i <= 3; i++) {
      await api.request("PATCH", `/tasks/${created.body.id}`, { user: owner, body: { title: `sse ${i}` } });
    }
    const expected = await recordedIds(owner, seen?.id as string, 3);
    const resumed = await openEventStream(gateway.url, owner, seen?.id);
    await resumed.waitForChanges(3);
    expect(resumed.changes().map((e) => e.id)).toEqual(expected);
    await api.request("POST", `/tasks/${created.body.id}/complete`, { user: owner });
    const live = await resumed.waitForChanges(4);
    expect(live[3]?.data).toMatchObject({ data: { change: "task.completed" } });
    resumed.close();
  });
});

describe("a client that stops reading", () => {
  test("is disconnected with 1008 while the user's other connections keep receiving", async () => {
    const owner = user();
    const reader = await openWebSocket(gateway.wsUrl, owner);
    const stalled = await stalledWebSocket(gateway.port, owner);
    expect(stalled.status).toBe("HTTP/1.1 101 Switching Protocols");
    await waitFor("both connections registered", () => gateway.gateway.hub.connectionsOf(owner) === 2);

    // Large updates (60 KB titles; bodies stay under the 64 KiB limit), so the kernel's socket
    // buffers (several MB on loopback) fill and the gateway's own bound is reached: 200 are 12 MB.
    const taskId = crypto.randomUUID();
    const title = "x".repeat(60_000);
    for (let version = 1; version <= 200; version++) {
      await publishEvent(api.sidecar, "task-updates", taskUpdate(owner, taskId, version, title), {
        partitionKey: taskId,
      });
    }
    await waitFor(
      "the stalled connection to be dropped",
      () => gateway.gateway.hub.connectionsOf(owner) === 1,
    );
    await reader.waitForChanges(200);

    // The reader is still served, live.
    const created = await api.request("POST", "/tasks", { user: owner, body: { title: "still here" } });
    const after = await reader.waitForChanges(201);
    expect(after[200]?.frame.data).toMatchObject({ taskId: created.body.id });
    expect(reader.closed()).toBeUndefined();
    // Once it reads again, the stalled client finds a close frame: 1008, a slow consumer.
    expect(await stalled.readToEnd()).toBe(1008);
    reader.close();
  });
});

describe("refusals", () => {
  const upgrade = {
    upgrade: "websocket",
    connection: "Upgrade",
    "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
    "sec-websocket-version": "13",
  };

  test("a token in the query string is refused, naming the parameter", async () => {
    const token = await tokenFor(user());
    for (const path of [`/realtime/ws?token=${token}`, `/realtime/sse?access_token=${token}`]) {
      const response = await fetch(`${gateway.url}${path}`, { headers: upgrade });
      expect(response.status).toBe(400);
      expect(response.headers.get("content-type")).toContain("application/problem+json");
      const problem = (await response.json()) as { errors: { field: string }[] };
      expect(problem.errors[0]?.field).toMatch(/^query\.(token|access_token)$/);
    }
    const ws = new WebSocket(`${gateway.wsUrl}?token=${token}`);
    const outcome = await new Promise<string>((resolve) => {
      ws.onopen = () => resolve("open");
      ws.onerror = () => resolve("refused");
    });
    expect(outcome).toBe("refused");
  });

  test("bad input is a 4xx problem+json naming the field", async () => {
    const authorization = `Bearer ${await tokenFor(user())}`;
    const cases: [string, Record<string, string>, number, string][] = [
      ["/realtime/ws?since=yesterday", { ...upgrade, authorization }, 400, "query.since"],
      ["/realtime/sse", { authorization, "last-event-id": "42" }, 400, "header.last-event-id"],
      ["/realtime/sse?since=x", { authorization }, 400, "query.since"],
      [
        "/realtime/ws",
        { ...upgrade, "sec-websocket-protocol": `bearer.${authorization.slice(7)}` },
        400,
        "header.sec-websocket-protocol",
      ],
    ];
    for (const [path, headers, status, field] of cases) {
      const response = await fetch(`${gateway.url}${path}`, { headers });
      expect(response.status).toBe(status);
      expect(response.headers.get("content-type")).toContain("application/problem+json");
      const problem = (await response.json()) as { errors: { field: string }[] };
      expect(problem.errors[0]?.field).toBe(field);
    }
  });

  test("without a valid token neither endpoint opens", async () => {
    const expired = await tokenFor(user(), { expiresIn: Math.floor(Date.now() / 1000) - 3600 });
    for (const [path, headers] of [
      ["/realtime/ws", upgrade],
      ["/realtime/sse", {}],
      ["/realtime/sse", { authorization: `Bearer ${expired}` }],
      ["/realtime/ws", { ...upgrade, "sec-websocket-protocol": `nudge.v1, bearer.${expired}` }],
    ] as [string, Record<string, string>][]) {
      const response = await fetch(`${gateway.url}${path}`, { headers });
      expect(response.status).toBe(401);
      expect(response.headers.get("content-type")).toContain("application/problem+json");
    }
  });
});
