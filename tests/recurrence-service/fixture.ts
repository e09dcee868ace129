import { join } from "node:path";
import { DaprWorkflowClient, LogLevel } from "@dapr/dapr";
import { sidecarReady } from "@nudge/dapr";
import { createLogger, type Logger } from "@nudge/service";
import {
  freePort,
  type RunningSidecar,
  repoRoot,
  type SidecarPorts,
  sidecarPorts,
  waitFor,
} from "@nudge/testing";
import { loadConfig } from "../../services/recurrence-service/src/config.ts";
import { createRecurrenceService } from "../../services/recurrence-service/src/runtime.ts";
import { APP_API_TOKEN, type TaskApiFixture } from "../task-api/fixture.ts";

/** The environment recurrence-service runs with in tests. */
export function recurrenceEnv(port: number, ports: { httpPort: number; grpcPort: number }) {
  return {
    PORT: String(port),
    HOST: "127.0.0.1",
    DAPR_HTTP_PORT: String(ports.httpPort),
    DAPR_GRPC_PORT: String(ports.grpcPort),
    APP_API_TOKEN,
  };
}

/** recurrence-service's own daprd: its declarative subscription to task-events, workflows, invocation. */
export function recurrenceSidecar(api: TaskApiFixture, port: number, ports: SidecarPorts) {
  return api.stack.sidecar({
    appId: "recurrence-service",
    appPort: port,
    ports,
    resourcesPaths: [join(repoRoot, "dapr", "subscriptions")],
    env: { APP_API_TOKEN },
  });
}

/** A workflow client on recurrence-service's sidecar: tests await instances by id. */
export function workflowClient(sidecar: RunningSidecar) {
  return new DaprWorkflowClient({
    daprHost: "127.0.0.1",
    daprPort: String(sidecar.grpcPort),
    logger: { level: LogLevel.Error },
  });
}

/** Each completion the service reacted to, in order: what the tests await. */
export interface Reaction {
  taskId: string;
  reaction: string;
}

/** A logger that prints warnings and remembers every "task completed" reaction. */
function recordingLogger(reactions: Reaction[]): Logger {
  const printed = createLogger("recurrence-service", "warn");
  return {
    ...printed,
    info(msg, fields) {
      if (msg === "task completed") reactions.push(fields as unknown as Reaction);
      printed.info(msg, fields);
    },
  };
}

/** recurrence-service in this process, beside a running task-api, with its own real daprd. */
export async function startRecurrenceService(api: TaskApiFixture) {
  const port = await freePort();
  const ports = await sidecarPorts();
  const config = loadConfig({ ...recurrenceEnv(port, ports), LOG_LEVEL: "warn" });
  const reactions: Reaction[] = [];
  const service = createRecurrenceService(config, recordingLogger(reactions));
  service.listen();
  const sidecar = await recurrenceSidecar(api, port, ports);
  await service.startWorker(() => sidecarReady(sidecar));
  await untilCompletionsFlow(api);
  return {
    service,
    sidecar,
    reactions,
    async stop() {
      await service.stop();
      await sidecar.stop();
    },
  };
}

/** A daily task due in a minute, for `user`. */
export async function dailyTask(api: TaskApiFixture, user: string, body: Record<string, unknown> = {}) {
  const dueAt = new Date(Math.ceil(Date.now() / 1000) * 1000 + 60_000).toISOString();
  const created = await api.request("POST", "/tasks", {
    user,
    body: { title: "Stretch", dueAt, timeZone: "Europe/Berlin", recurrence: "every day", ...body },
  });
  if (created.status !== 201) throw new Error(`creating a recurring task: ${created.status} ${created.text}`);
  return created.body;
}

export const tasksOfSeries = async (api: TaskApiFixture, seriesId: string) =>
  api.sql<{ id: string; occurrence_index: number; due_at: Date }[]>`
    select id, occurrence_index, due_at from tasks where series_id = ${seriesId} order by occurrence_index`;

/**
 * Wait until a completion flows end to end (task-api → Kafka → recurrence-service → workflow →
 * task-api). After another suite killed a sidecar, the consumer group and actor placement take
 * seconds to settle; timing assertions must not measure that.
 */
export async function untilCompletionsFlow(api: TaskApiFixture) {
  const user = `probe-${crypto.randomUUID()}`;
  const task = await dailyTask(api, user);
  await api.request("POST", `/tasks/${task.id}/complete`, { user });
  await waitFor(
    "a probe completion to create its next occurrence",
    async () => (await tasksOfSeries(api, task.series.id)).length === 2,
    { timeoutMs: 90_000, intervalMs: 200 },
  );
}
