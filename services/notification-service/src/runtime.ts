import { jobsClient, workflowHost } from "@nudge/dapr";
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
    sender: config.email.sender,
    log,
  });
  const workflow = reminderDelivery(activities, config.send);
  const host = workflowHost(config.sidecar, workflow, activities);
  const workflows = host.client;
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
    runtime: host.runtime,
    workflows,
    listen() {
      app.listen({ port: config.port, hostname: config.host });
    },
    startWorker: host.start,
    async stop() {
      await app.stop(true);
      await host.stop();
      await sql.end({ timeout: 5 });
    },
  };
}
