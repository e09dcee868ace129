import { workflowHost } from "@nudge/dapr";
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
  const host = workflowHost(config.sidecar, workflow, activities);
  const workflows = host.client;
  const app = buildApp({
    sidecar: config.sidecar,
    workflows,
    workflowName: workflow.name,
    appApiToken: config.appApiToken,
    log,
  });
  return {
    app,
    runtime: host.runtime,
    workflows,
    listen() {
      app.listen({ port: config.port, hostname: config.host });
    },
    startWorker: host.start,
    async stop() {
      await app.stop(true);
      await host.stop();
    },
  };
}
