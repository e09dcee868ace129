import { type JwtSettings, jwtEnv, jwtSettings } from "@nudge/http";
import { ConfigError, commonConfig, commonEnv, parseEnv } from "@nudge/service";
import { type Static, Type } from "@sinclair/typebox";

export { ConfigError };

/** Every environment variable task-api reads, with its default. Nothing else reads process.env. */
const Env = Type.Object({
  ...commonEnv({ port: 3000, schema: "task_api", poolMax: 10 }),
  // The same token verification in every service with a public API: one identity provider.
  ...jwtEnv(),
  OUTBOX_BATCH_SIZE: Type.Integer({ minimum: 1, maximum: 1000, default: 200 }),
  OUTBOX_RETENTION_HOURS: Type.Number({ minimum: 0, default: 24 }),
  OUTBOX_POLL_MS: Type.Integer({ minimum: 50, default: 2000 }),
  // A row that keeps failing while others get through is parked after this many attempts.
  OUTBOX_MAX_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 1000, default: 10 }),
  OUTBOX_RETRY_MAX_MS: Type.Integer({ minimum: 100, default: 60_000 }),
  OUTBOX_PUBLISH_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 10_000 }),
  // Under Kafka's 1 MiB message limit, with room for what Dapr adds to the envelope.
  OUTBOX_MAX_EVENT_BYTES: Type.Integer({ minimum: 1024, default: 1_000_000 }),
  // Bearer token of the operator routes (/operator/outbox); unset, they refuse everything.
  OPERATOR_TOKEN: Type.Optional(Type.String({ minLength: 16 })),
  PUBLIC_BASE_URL: Type.String({ default: "http://127.0.0.1:3000" }),
  // Prometheus metrics: their own port, on HOST like the API, never on the public one; unset, no
  // metrics are served (k8s sets 9464, ./nudge 9464 + NUDGE_PORT_OFFSET).
  METRICS_PORT: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
});
type Env = Static<typeof Env>;

export interface Config {
  port: number;
  host: string;
  database: { url: string; schema: string; poolMax: number };
  sidecar: { httpUrl: string; grpcHost: string; grpcPort: number; apiToken?: string };
  appApiToken?: string;
  jwt: JwtSettings;
  outbox: {
    batchSize: number;
    retentionHours: number;
    pollMs: number;
    maxAttempts: number;
    retryMaxMs: number;
    publishTimeoutMs: number;
    maxEventBytes: number;
  };
  operatorToken?: string;
  publicBaseUrl: string;
  metricsPort?: number;
  logLevel: Env["LOG_LEVEL"];
}

/** Parse the environment once, at start; a bad or missing variable stops the service by name. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const e: Env = parseEnv(Env, env);
  return {
    ...commonConfig(e),
    jwt: jwtSettings(e),
    outbox: {
      batchSize: e.OUTBOX_BATCH_SIZE,
      retentionHours: e.OUTBOX_RETENTION_HOURS,
      pollMs: e.OUTBOX_POLL_MS,
      maxAttempts: e.OUTBOX_MAX_ATTEMPTS,
      retryMaxMs: e.OUTBOX_RETRY_MAX_MS,
      publishTimeoutMs: e.OUTBOX_PUBLISH_TIMEOUT_MS,
      maxEventBytes: e.OUTBOX_MAX_EVENT_BYTES,
    },
    operatorToken: e.OPERATOR_TOKEN,
    publicBaseUrl: e.PUBLIC_BASE_URL,
    metricsPort: e.METRICS_PORT,
  };
}
