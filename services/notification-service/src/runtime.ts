import { DaprWorkflowClient, LogLevel, WorkflowRuntime } from "@dapr/dapr";
import { jobsClient } from "@nudge/dapr";
import { connect } from "@nudge/db";
import { createLogger, type Logger } from "@nudge/service";
import { Resend } from "resend";
import { createActivities } from "./activities/index.ts";
import { buildApp } from "./app.ts";
import type { Config } from "./config.ts";
import { reminderDelivery } from "./workflows/reminder-delivery.ts";

/**
 * Wires the service: pool, Resend client, workflow runtime and client, HTTP app. main.ts and the
 * tests both start it this way; `start` listens, waits for the sidecar, then starts the worker.
 */
export function createNotificationService(
  config: Config,
  log: Logger = createLogger("notification-service", config.logLevel),
) {
  const sql = connect(config.database.url, {
    schema: config.database.schema,
    max: config.database.poolMax,
    applicationName: "notification-service",
  });
  // The SDK reads RESEND_BASE_URL from the environment; config has validated it.
  if (config.email.baseUrl) process.env.RESEND_BASE_URL = config.email.baseUrl;
  const resend = new Resend(config.email.apiKey);
  const activities = createActivities({
    sql,
    sidecar: config.sidecar,
    resend,
    taskApiAppId: config.taskApiAppId,
    from: config.email.from,
    linkBaseUrl: config.email.linkBaseUrl,
    log,
  });
  const workflow = reminderDelivery(activities, config.send);
  const dapr = {
    daprHost: config.sidecar.grpcHost,
    daprPort: String(config.sidecar.grpcPort),
    logger: { level: LogLevel.Warn },
  };
  const runtime = new WorkflowRuntime(dapr).registerWorkflow(workflow);
  for (const activity of Object.values(activities)) runtime.registerActivity(activity);
  const workflows = new DaprWorkflowClient(dapr);
  const app = buildApp({
    sql,
    sidecar: config.sidecar,
    jobs: jobsClient(config.sidecar),
    workflows,
    workflowName: workflow.name,
    appApiToken: config.appApiToken,
    operatorToken: config.operatorToken,
    log,
  });

  return {
    app,
    sql,
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
      await sql.end({ timeout: 5 });
    },
  };
}
