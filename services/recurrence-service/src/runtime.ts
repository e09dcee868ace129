import { DaprWorkflowClient, LogLevel, WorkflowRuntime } from "@dapr/dapr";
import { createLogger, type Logger } from "@nudge/service";
import { createActivities } from "./activities/index.ts";
import { buildApp } from "./app.ts";
import type { Config } from "./config.ts";
import { nextOccurrence } from "./workflows/next-occurrence.ts";

/** Wires the service: workflow runtime and client, HTTP app. main.ts and the tests start it this way. */
export function createRecurrenceService(
  config: Config,
  log: Logger = createLogger("recurrence-service", config.logLevel),
) {
  const activities = createActivities({ sidecar: config.sidecar, taskApiAppId: config.taskApiAppId, log });
  const workflow = nextOccurrence(activities);
  const dapr = {
    daprHost: config.sidecar.grpcHost,
    daprPort: String(config.sidecar.grpcPort),
    logger: { level: LogLevel.Warn },
  };
  const runtime = new WorkflowRuntime(dapr).registerWorkflow(workflow);
  for (const activity of Object.values(activities)) runtime.registerActivity(activity);
  const workflows = new DaprWorkflowClient(dapr);
  const app = buildApp({
    sidecar: config.sidecar,
    workflows,
    workflowName: workflow.name,
    appApiToken: config.appApiToken,
    log,
  });
  return {
    app,
    runtime,
    workflows,
    listen() {
      app.listen({ port: config.port, hostname: config.host });
    },
    /** The worker needs a live sidecar for its first connection. */
    async startWorker(sidecarUp: () => Promise<boolean>) {
      while (!(await sidecarUp())) await Bun.sleep(200);
      await runtime.start();
    },
    async stop() {
      await app.stop(true);
      await runtime.stop().catch(() => {});
      await workflows.stop().catch(() => {});
    },
  };
}
