import { join } from "node:path";
import { sidecarReady } from "@nudge/dapr";
import { startMailCapture } from "@nudge/mail-capture";
import { createLogger } from "@nudge/service";
import { freePort, type RunningSidecar, repoRoot, sidecarPorts } from "@nudge/testing";
import { loadConfig } from "../../services/notification-service/src/config.ts";
import { migrateNotificationService } from "../../services/notification-service/src/migrate.ts";
import { createNotificationService } from "../../services/notification-service/src/runtime.ts";
import { APP_API_TOKEN, startTaskApi } from "../task-api/fixture.ts";

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

export type ReminderSystem = Awaited<ReturnType<typeof startReminderSystem>>;
