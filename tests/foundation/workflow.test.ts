import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { DaprWorkflowClient, LogLevel, type WorkflowRuntime, WorkflowRuntimeStatus } from "@dapr/dapr";
import { STARTUP_TIMEOUT_MS, TEARDOWN_TIMEOUT_MS, waitFor } from "@nudge/testing";
import { startSmoke } from "../smoke/start.ts";
import { smokeWorkflows } from "../smoke/workflows.ts";

let smoke: Awaited<ReturnType<typeof startSmoke>>;
let runtime: WorkflowRuntime;
let client: DaprWorkflowClient;
const workflows = smokeWorkflows();

beforeAll(async () => {
  smoke = await startSmoke("smoke-workflow");
  runtime = workflows.register(smoke.sidecar);
  await runtime.start();
  client = new DaprWorkflowClient({
    daprHost: "127.0.0.1",
    daprPort: String(smoke.sidecar.grpcPort),
    logger: { level: LogLevel.Warn },
  });
}, STARTUP_TIMEOUT_MS);

afterAll(async () => {
  await client?.stop();
  await runtime?.stop();
  await smoke?.stop();
}, TEARDOWN_TIMEOUT_MS);

describe("Dapr Workflow through the real sidecar and Postgres actor state", () => {
  test("a workflow waits on a durable timer and retries a failing activity to completion", async () => {
    const key = crypto.randomUUID();
    const startedAt = Date.now();
    const id = await client.scheduleNewWorkflow(
      workflows.timerThenFlaky,
      { key, timerMs: 1000 },
      `flaky-${key}`,
    );

    const state = await client.waitForWorkflowCompletion(id, true, 30);

    expect(state?.runtimeStatus).toBe(WorkflowRuntimeStatus.COMPLETED);
    expect(JSON.parse(state?.serializedOutput ?? "null")).toEqual({ attempts: 3 });
    expect(workflows.attempts.get(key)).toBe(3);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1000);
  }, 40_000);

  test("a workflow whose sidecar is killed while it waits on its timer still completes, exactly once", async () => {
    const key = crypto.randomUUID();
    const id = await client.scheduleNewWorkflow(
      workflows.waitThenComplete,
      { key, timerMs: 4000 },
      `crash-${key}`,
    );
    // The custom status is persisted with the step that created the timer: once it is visible,
    // the timer is durable state and the workflow is idle, waiting on it.
    await waitFor(
      "the workflow to wait on its timer",
      async () => (await client.getWorkflowState(id, true))?.customStatus?.includes("waiting-on-timer"),
      { timeoutMs: 15_000 },
    );

    await smoke.sidecar.kill("SIGKILL");
    // The kill landed while the workflow waited: its completing activity has not run yet.
    expect(workflows.completions.get(key) ?? 0).toBe(0);
    await smoke.sidecar.restart();

    const state = await waitFor(
      "the workflow to complete after the sidecar restart",
      async () => {
        const current = await client.getWorkflowState(id, true);
        return current?.runtimeStatus === WorkflowRuntimeStatus.COMPLETED && current;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(JSON.parse(state.serializedOutput ?? "null")).toEqual({ completions: 1 });
    expect(workflows.completions.get(key)).toBe(1);
  }, 90_000);
});
