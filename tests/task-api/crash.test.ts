import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { connect } from "@nudge/db";
import {
  type EventRecorder,
  freePort,
  type RunningSidecar,
  STARTUP_TIMEOUT_MS,
  sidecarPorts,
  startEventRecorder,
  TEARDOWN_TIMEOUT_MS,
  type TestStack,
  testStack,
  waitFor,
} from "@nudge/testing";
import { migrations as taskApiMigrations } from "../../services/task-api/src/migrate.ts";
import { taskApiEnv, tokenFor } from "./fixture.ts";

// task-api as a real process (bun src/main.ts), so the test can kill it at the bad moment.
const entry = join(import.meta.dir, "..", "..", "services", "task-api", "src", "main.ts");
const schema = "task_api_crash";
let stack: TestStack;
let recorder: EventRecorder;
let sidecar: RunningSidecar;
let port: number;
let env: Record<string, string>;

function startProcess() {
  return Bun.spawn([process.execPath, entry], {
    env: { ...process.env, ...env },
    stdout: "ignore",
    stderr: "inherit",
  });
}

beforeAll(async () => {
  stack = await testStack();
  await taskApiMigrations.apply(stack.databaseUrl, schema);
  recorder = await startEventRecorder(stack, ["task-events"]);
  port = await freePort();
  const ports = await sidecarPorts();
  env = { ...taskApiEnv(stack.databaseUrl, schema, port, ports), LOG_LEVEL: "error" };
  const first = startProcess();
  await waitFor("task-api to listen", () => fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok));
  sidecar = await stack.sidecar({ appId: "task-api-crash", appPort: port, ports });
  first.kill("SIGKILL");
  await first.exited;
}, STARTUP_TIMEOUT_MS);
afterAll(() => recorder?.stop(), TEARDOWN_TIMEOUT_MS);

describe("acknowledged writes survive a crash of task-api", () => {
  test("writes acknowledged while events could not be published are published after task-api is killed and restarted", async () => {
    await sidecar.kill("SIGKILL"); // nothing can be published from now on
    const api = startProcess();
    await waitFor("task-api to listen", () => fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok));
    const token = await tokenFor(`user-${crypto.randomUUID()}`);
    const acknowledged: string[] = [];
    for (let i = 0; i < 25; i++) {
      const response = await fetch(`http://127.0.0.1:${port}/tasks`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ title: `Survive ${i}` }),
      });
      expect(response.status).toBe(201);
      acknowledged.push(((await response.json()) as { id: string }).id);
    }

    api.kill("SIGKILL"); // the bad moment: every write acknowledged, no event published
    await api.exited;
    const sql = connect(stack.databaseUrl, { schema, max: 1, applicationName: "crash-test" });
    const [row] = await sql<
      { unsent: number }[]
    >`select count(*)::int as unsent from outbox where sent_at is null and parked_at is null and topic = 'task-events'`;
    await sql.end();
    expect(row?.unsent).toBe(25);

    // daprd reports healthy only once its app listens, so the app comes back first.
    const restarted = startProcess();
    await sidecar.restart();
    try {
      const ids = new Set(acknowledged);
      const events = await recorder.waitForCount(
        (e) => ids.has(e.subject ?? "") && e.topic === "task-events",
        25,
        60_000,
      );
      expect(new Set(events.map((e) => e.subject))).toEqual(ids);
      expect(events.every((e) => e.type === "task.created")).toBe(true);
    } finally {
      restarted.kill("SIGTERM");
      await restarted.exited;
    }
  }, 120_000);
});
