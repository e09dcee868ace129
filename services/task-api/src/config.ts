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
  outbox: { batchSize: number; retentionHours: number; pollMs: number };
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
    },
    publicBaseUrl: e.PUBLIC_BASE_URL,
    metricsPort: e.METRICS_PORT,
  };
}
