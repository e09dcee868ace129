import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import {
  freePort,
  type RunningSidecar,
  repoRoot,
  type ServiceProcess,
  STARTUP_TIMEOUT_MS,
  serviceProcess,
  sidecarPorts,
  TEARDOWN_TIMEOUT_MS,
  waitFor,
} from "@nudge/testing";
import { startTaskApi, type TaskApiFixture } from "../task-api/fixture.ts";
import {
  dailyTask,
  recurrenceEnv,
  recurrenceSidecar,
  tasksOfSeries,
  untilCompletionsFlow,
  workflowClient,
} from "./fixture.ts";

let api: TaskApiFixture;
let sidecar: RunningSidecar;
let env: Record<string, string>;
let port: number;
// recurrence-service as a real process, so it can be killed at the bad moment.
let service: ServiceProcess | undefined;

beforeAll(async () => {
  api = await startTaskApi();
  port = await freePort();
  const ports = await sidecarPorts();
  env = { ...recurrenceEnv(port, ports), LOG_LEVEL: "error" };
  service = serviceProcess("recurrence-service", port, env);
  await service.start();
  sidecar = await recurrenceSidecar(api, port, ports);
  await untilCompletionsFlow(api);
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  await service?.kill("SIGTERM");
  await sidecar?.stop();
  await api?.stop();
}, TEARDOWN_TIMEOUT_MS);

describe("a crash in the middle of nextOccurrence", () => {
  test("SIGKILL while the next task is being created: after a restart there is exactly one next task", async () => {
    const owner = `user-${crypto.randomUUID()}`;
    const task = await dailyTask(api, owner);
    // Hold the series row: task-api's create waits on it while the workflow's activity is in
    // flight. Then the service dies, and the create commits after its caller is gone — the
    // worst moment: the task exists, but the workflow never heard so.
    const lock = await api.sql.reserve();
    await lock`begin`;
    await lock`select id from series where id = ${task.series.id} for update`;
    await api.request("POST", `/tasks/${task.id}/complete`, { user: owner });
    const createWaits = async () => {
      const waiting = await api.sql`
        select 1 from pg_stat_activity
        where wait_event_type = 'Lock' and query ilike '%from series where id%for update%'`;
      return waiting.length > 0;
    };
    await waitFor("the create to wait on the series lock", createWaits);
    await service?.kill("SIGKILL");
    // The kill landed while the create was in flight: it still waits, and no next task exists yet.
    expect(await createWaits()).toBe(true);
    expect((await tasksOfSeries(api, task.series.id)).length).toBe(1);
    await lock`commit`;
    lock.release();
    await waitFor(
      "the held create to commit",
      async () => (await tasksOfSeries(api, task.series.id)).length === 2,
    );

    await service?.start();
    const workflows = workflowClient(sidecar);
    try {
      const state = await workflows.waitForWorkflowCompletion(`next-${task.id}-v2`, true, 60);
      const outcome = JSON.parse(state?.serializedOutput ?? "null");
      // The replayed activity asks again and task-api answers with the task that exists.
      expect(outcome).toMatchObject({ outcome: "existed" });
    } finally {
      await workflows.stop().catch(() => {});
    }
    expect((await tasksOfSeries(api, task.series.id)).map((t) => t.occurrence_index)).toEqual([0, 1]);
  }, 120_000);
});
