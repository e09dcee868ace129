import { join } from "node:path";
import type { DaprWorkflowClient } from "@dapr/dapr";
import { publishEvent, sidecarReady } from "@nudge/dapr";
import type { Sql } from "@nudge/db";
import { startMailCapture } from "@nudge/mail-capture";
import { createLogger } from "@nudge/service";
import { freePort, type RunningSidecar, repoRoot, sidecarPorts, waitFor } from "@nudge/testing";
import { loadConfig } from "../../services/notification-service/src/config.ts";
import { migrateNotificationService } from "../../services/notification-service/src/migrate.ts";
import { createNotificationService } from "../../services/notification-service/src/runtime.ts";
import { APP_API_TOKEN, startTaskApi, type TaskApiFixture } from "../task-api/fixture.ts";

export const OPERATOR_TOKEN = "operator-token-for-tests-0123";
export const SCHEMA = "notification_service";

/** The environment notification-service runs with in tests. */
export function notificationEnv(
  databaseUrl: string,
  port: number,
  ports: { httpPort: number; grpcPort: number },
  mailUrl: string,
) {
  return {
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: databaseUrl,
    DB_SCHEMA: SCHEMA,
    DAPR_HTTP_PORT: String(ports.httpPort),
    DAPR_GRPC_PORT: String(ports.grpcPort),
    APP_API_TOKEN,
    OPERATOR_TOKEN,
    RESEND_API_KEY: "re_test_key",
    RESEND_BASE_URL: mailUrl,
    EMAIL_FROM: "Nudge <reminders@nudge.test>",
    LINK_BASE_URL: "https://nudge.test",
    SEND_FIRST_RETRY_MS: "200",
  };
}

/**
 * The whole reminder path on real parts: task-api (outbox → Kafka), notification-service with its
 * own daprd (declarative subscription, Jobs, Workflow), and the Resend capture server.
 */
export async function startReminderSystem() {
  const api = await startTaskApi();
  const mail = await startMailCapture({ port: 0 });
  await migrateNotificationService(api.stack.databaseUrl, SCHEMA);
  const port = await freePort();
  const ports = await sidecarPorts();
  const config = loadConfig({
    ...notificationEnv(api.stack.databaseUrl, port, ports, mail.url),
    LOG_LEVEL: "warn",
  });
  const service = createNotificationService(config, createLogger("notification-service", "warn"));
  service.listen();
  const sidecar: RunningSidecar = await api.stack.sidecar({
    appId: "notification-service",
    appPort: port,
    ports,
    resourcesPaths: [join(repoRoot, "dapr", "subscriptions")],
    env: { APP_API_TOKEN },
  });
  await service.startWorker(() => sidecarReady(sidecar));
  await untilConsuming(api, service.sql);
  await untilWorkflowsRun(service.workflows);
  return {
    api,
    mail,
    service,
    sidecar,
    port,
    async stop() {
      await service.stop();
      await sidecar.stop();
      await mail.stop();
      await api.stop();
    },
  };
}

/**
 * Wait until notification-service really consumes `reminders`: a harmless event (cancelling an
 * occurrence that was never armed) is published and awaited in processed_events. A consumer
 * group still rebalancing — e.g. after an earlier suite killed a member — would otherwise make
 * the first timed reminder late for reasons that are not the code under test.
 */
export async function untilConsuming(api: TaskApiFixture, sql: Sql) {
  const id = crypto.randomUUID();
  const reminderId = crypto.randomUUID();
  const data = {
    schemaVersion: 1,
    reminderId,
    taskId: reminderId,
    userId: "probe",
    at: null,
    occurrenceKey: `${reminderId}:0`,
  };
  const event = {
    specversion: "1.0" as const,
    id,
    type: "reminder.cancelled",
    source: "/tests",
    subject: reminderId,
    time: new Date().toISOString(),
    datacontenttype: "application/json" as const,
    data,
  };
  await publishEvent(api.sidecar, "reminders", event, { partitionKey: reminderId });
  await waitFor(
    "notification-service to consume reminders",
    async () => (await sql`select 1 from processed_events where event_id = ${id}`).length > 0,
    {
      timeoutMs: 60_000,
      intervalMs: 200,
    },
  );
}

/**
 * Wait until a delivery workflow runs end to end (for a reminder that does not exist, so it is
 * skipped): after a sidecar restart, actor placement takes a moment to settle.
 */
export async function untilWorkflowsRun(workflows: DaprWorkflowClient) {
  const probe = crypto.randomUUID();
  const input = {
    reminderId: probe,
    taskId: probe,
    userId: "probe",
    occurrenceKey: `${probe}:0`,
    at: new Date().toISOString(),
  };
  await workflows.scheduleNewWorkflow(
    "reminderDelivery",
    { ...input, instanceId: `probe-${probe}` },
    `probe-${probe}`,
  );
  await workflows.waitForWorkflowCompletion(`probe-${probe}`, false, 60);
}

export type ReminderSystem = Awaited<ReturnType<typeof startReminderSystem>>;
