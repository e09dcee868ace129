import { freePort, type RunningSidecar, type SidecarPorts, sidecarPorts, testStack } from "@nudge/testing";
import { SignJWT } from "jose";
import { loadConfig } from "../../services/task-api/src/config.ts";
import { linkKey } from "../../services/task-api/src/links/links.ts";
import { linkMinter } from "../../services/task-api/src/links/mint.ts";
import { migrations } from "../../services/task-api/src/migrate.ts";
import { createTaskApi } from "../../services/task-api/src/runtime.ts";

export const JWT = {
  secret: "test-secret-for-task-api-0123456789abcdef",
  issuer: "https://auth.nudge.test/",
  audience: "nudge-api",
};
export const APP_API_TOKEN = "app-token-for-tests-0123456789";
/** The key task-api signs email links with in tests (tests sign links of their own with it too). */
export const EMAIL_LINK_KEY = "email-link-key-for-tests-0123456789abcdef";

/** Links as task-api mints them for emails, signed with the tests' key, on `baseUrl`. */
export const testLinkMinter = (baseUrl: string, snoozeSeconds = 3600) =>
  linkMinter({
    keys: { current: linkKey(EMAIL_LINK_KEY) },
    baseUrl,
    actionTtlSeconds: 3600,
    settingsTtlSeconds: 3600,
    snoozeSeconds,
  });

/** A signed access token for `sub`, as the identity provider would issue it. */
export async function tokenFor(
  sub: string,
  overrides: { secret?: string; expiresIn?: string | number; issuer?: string; audience?: string } = {},
) {
  return new SignJWT({})
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(sub)
    .setIssuer(overrides.issuer ?? JWT.issuer)
    .setAudience(overrides.audience ?? JWT.audience)
    .setIssuedAt()
    .setExpirationTime(overrides.expiresIn ?? "10m")
    .sign(new TextEncoder().encode(overrides.secret ?? JWT.secret));
}

/** The environment task-api runs with in tests (in-process or as its own process). */
export function taskApiEnv(databaseUrl: string, schema: string, port: number, ports: SidecarPorts) {
  return {
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: databaseUrl,
    DB_SCHEMA: schema,
    DAPR_HTTP_PORT: String(ports.httpPort),
    DAPR_GRPC_PORT: String(ports.grpcPort),
    APP_API_TOKEN,
    JWT_SECRET: JWT.secret,
    JWT_ISSUER: JWT.issuer,
    JWT_AUDIENCE: JWT.audience,
    OUTBOX_POLL_MS: "500",
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    EMAIL_LINK_KEY,
  };
}

/**
 * task-api as it runs in production — the Elysia app, its outbox relay, its own real daprd —
 * on a migrated schema of the test run's database.
 */
export async function startTaskApi(appId = "task-api", env: Record<string, string> = {}) {
  const stack = await testStack();
  const schema = "task_api";
  await migrations.apply(stack.databaseUrl, schema);
  const port = await freePort();
  const ports = await sidecarPorts();
  const config = loadConfig({
    ...taskApiEnv(stack.databaseUrl, schema, port, ports),
    METRICS_PORT: String(await freePort()),
    LOG_LEVEL: "warn",
    ...env,
  });
  const taskApi = createTaskApi(config);
  taskApi.listen();
  const sidecar: RunningSidecar = await stack.sidecar({
    appId,
    appPort: port,
    ports,
    env: { APP_API_TOKEN },
  });
  taskApi.start();
  const baseUrl = `http://127.0.0.1:${port}`;

  async function request(
    method: string,
    path: string,
    options: { user?: string; body?: unknown; headers?: Record<string, string>; raw?: string } = {},
  ) {
    const headers: Record<string, string> = { ...options.headers };
    if (options.user) headers.authorization = `Bearer ${await tokenFor(options.user)}`;
    let body: string | undefined = options.raw;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers["content-type"] ??= "application/json";
    }
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    const json =
      text && /json/.test(response.headers.get("content-type") ?? "") ? JSON.parse(text) : undefined;
    return { status: response.status, headers: response.headers, body: json, text };
  }

  return {
    stack,
    config,
    sql: taskApi.sql,
    app: taskApi.app,
    sidecar,
    relay: taskApi.relay,
    baseUrl,
    /** The Prometheus endpoint, on its own port as in production. */
    metricsUrl: `http://127.0.0.1:${config.metricsPort}/metrics`,
    request,
    async stop() {
      await taskApi.stop({ drainMs: 0 });
      await sidecar.stop();
    },
  };
}

export type TaskApiFixture = Awaited<ReturnType<typeof startTaskApi>>;
