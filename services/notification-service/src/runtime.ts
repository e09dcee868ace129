import { jobsClient, scheduleWhenReady, workflowHost } from "@nudge/dapr";
import { connectService } from "@nudge/db";
import { createLogger, type Logger } from "@nudge/service";
import { Resend } from "resend";
import { buildApp } from "./app.ts";
import type { Config } from "./config.ts";
import { createDeliveryActivities } from "./delivery/activities.ts";
import { bucketDelivery } from "./delivery/workflow.ts";
import { digestStore } from "./digest/store.ts";
import { digestSource } from "./digest/task-api.ts";
import { digestTicker, scheduleDigestTick } from "./digest/tick.ts";
import { scheduleRetention } from "./reminders/retention.ts";

/**
 * Wires the service: pool, Resend client, workflow runtime and client, HTTP app. main.ts and the
 * tests both start it this way; `start` listens, waits for the sidecar, then starts the worker.
 */
export function createNotificationService(
  config: Config,
  log: Logger = createLogger("notification-service", config.logLevel),
) {
  const sql = connectService("notification-service", config.database);
  // The SDK reads RESEND_BASE_URL from the environment; config has validated it.
  if (config.email.baseUrl) process.env.RESEND_BASE_URL = config.email.baseUrl;
  const resend = new Resend(config.email.apiKey);
  const activities = createDeliveryActivities({
    sql,
    sidecar: config.sidecar,
    resend,
    replica: `${config.replicaName}/${process.pid}`,
    taskApiAppId: config.taskApiAppId,
    sender: config.email.sender,
    log,
  });
  const digest = digestTicker({
    store: digestStore(sql),
    source: digestSource(config.sidecar, config.taskApiAppId),
    resend,
    sender: config.email.sender,
    settings: config.digest,
    log,
  });
  const jobs = jobsClient(config.sidecar);
  const workflow = bucketDelivery(activities);
  const host = workflowHost(config.sidecar, workflow, activities, {
    maxConcurrentWorkItems: config.workflowConcurrency,
  });
  const workflows = host.client;
  const app = buildApp({
    sql,
    sidecar: config.sidecar,
    jobs,
    digest,
    workflows,
    workflowName: workflow.name,
    batching: config.batching,
    retention: config.retention,
    send: config.send,
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
    /** Connects the workflow worker, then (re)schedules the digest's tick job. */
    async startWorker(sidecarUp: () => Promise<boolean>) {
      await host.start(sidecarUp);
      await scheduleWhenReady(
        sidecarUp,
        "digest tick",
        () => scheduleDigestTick(jobs, config.digest.tickSchedule),
        log,
      );
    },
    /** The clean-up's cron job needs a live sidecar (and its scheduler connection). */
    scheduleRetention: (sidecarUp: () => Promise<boolean>) =>
      scheduleWhenReady(
        sidecarUp,
        "retention job",
        () => scheduleRetention(jobs, config.retention.schedule),
        log,
      ),
    async stop() {
      await app.stop(true);
      await digest.idle();
      await host.stop();
      await sql.end({ timeout: 5 });
    },
  };
}
