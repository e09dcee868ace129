import { join } from "node:path";
import { sidecarReady } from "@nudge/dapr";
import { connect } from "@nudge/db";
import { createLogger } from "@nudge/service";
import { freePort, repoRoot, sidecarPorts, waitFor } from "@nudge/testing";
import { loadConfig } from "../../services/audit-service/src/config.ts";
import { migrations as auditMigrations } from "../../services/audit-service/src/migrate.ts";
import { createAuditService } from "../../services/audit-service/src/runtime.ts";
import { APP_API_TOKEN, JWT, type TaskApiFixture } from "../task-api/fixture.ts";

export const OPERATOR_TOKEN = "operator-token-for-tests-0123456789";
const SCHEMA = "audit_service";

/** The environment audit-service runs with in tests. */
export function auditEnv(databaseUrl: string, port: number, ports: { httpPort: number; grpcPort: number }) {
  return {
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: databaseUrl,
    DB_SCHEMA: SCHEMA,
    DAPR_HTTP_PORT: String(ports.httpPort),
    DAPR_GRPC_PORT: String(ports.grpcPort),
    APP_API_TOKEN,
    OPERATOR_TOKEN,
    JWT_SECRET: JWT.secret,
    JWT_ISSUER: JWT.issuer,
    JWT_AUDIENCE: JWT.audience,
  };
}

/**
 * audit-service in this process, beside a running task-api, with its own real daprd and the
 * project's declarative subscriptions (task-events, dlq-events).
 */
export async function startAuditService(api: TaskApiFixture) {
  await auditMigrations.apply(api.stack.databaseUrl, SCHEMA);
  const port = await freePort();
  const ports = await sidecarPorts();
  const config = loadConfig({ ...auditEnv(api.stack.databaseUrl, port, ports), LOG_LEVEL: "warn" });
  const service = createAuditService(config, createLogger("audit-service", "warn"));
  service.listen();
  const sidecar = await api.stack.sidecar({
    appId: "audit-service",
    appPort: port,
    ports,
    resourcesPaths: [join(repoRoot, "dapr", "subscriptions")],
    env: { APP_API_TOKEN },
  });
  await service.scheduleRetention(() => sidecarReady(sidecar));
  const sql = connect(api.stack.databaseUrl, { schema: SCHEMA, max: 2, applicationName: "audit-test" });
  const baseUrl = `http://127.0.0.1:${port}`;
  const fixture = {
    service,
    sidecar,
    sql,
    baseUrl,
    historyRows: async (taskId: string) =>
      (await sql<{ n: number }[]>`select count(*)::int as n from audit_events where task_id = ${taskId}`)[0]
        ?.n ?? 0,
    async stop() {
      await service.stop();
      await sidecar.stop();
      await sql.end({ timeout: 5 });
    },
  };
  await untilHistoryFlows(api, fixture);
  return fixture;
}

export type AuditFixture = Awaited<ReturnType<typeof startAuditService>>;

/**
 * Wait until a change flows end to end (task-api → Kafka → audit-service → history). A new
 * consumer group first works through the topic's backlog, and a group another run left needs
 * seconds to rebalance; nothing may be timed before that.
 */
export async function untilHistoryFlows(
  api: TaskApiFixture,
  audit: { historyRows(id: string): Promise<number> },
) {
  const user = `probe-${crypto.randomUUID()}`;
  const created = await api.request("POST", "/tasks", { user, body: { title: "probe" } });
  if (created.status !== 201) throw new Error(`creating a probe task: ${created.status} ${created.text}`);
  await waitFor(
    "a probe task's creation to reach the history",
    async () => (await audit.historyRows(created.body.id)) === 1,
    {
      timeoutMs: 600_000,
      intervalMs: 250,
    },
  );
}
