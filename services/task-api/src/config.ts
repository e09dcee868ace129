import { ConfigError, commonConfig, commonEnv, parseEnv } from "@nudge/service";
import { type Static, Type } from "@sinclair/typebox";

export { ConfigError };

/** Every environment variable task-api reads, with its default. Nothing else reads process.env. */
const Env = Type.Object({
  ...commonEnv({ port: 3000, schema: "task_api", poolMax: 10 }),
  JWT_SECRET: Type.Optional(Type.String({ minLength: 32 })),
  JWT_JWKS_URL: Type.Optional(Type.String({ pattern: "^https?://" })),
  JWT_ISSUER: Type.String({ minLength: 1 }),
  JWT_AUDIENCE: Type.String({ minLength: 1 }),
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
  jwt: { secret?: string; jwksUrl?: string; issuer: string; audience: string };
  outbox: { batchSize: number; retentionHours: number; pollMs: number };
  publicBaseUrl: string;
  metricsPort?: number;
  logLevel: Env["LOG_LEVEL"];
}

/** Parse the environment once, at start; a bad or missing variable stops the service by name. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const e: Env = parseEnv(Env, env);
  if (!e.JWT_SECRET === !e.JWT_JWKS_URL) {
    throw new ConfigError("invalid configuration:\n  set exactly one of JWT_SECRET (HS256) and JWT_JWKS_URL");
  }
  return {
    ...commonConfig(e),
    jwt: { secret: e.JWT_SECRET, jwksUrl: e.JWT_JWKS_URL, issuer: e.JWT_ISSUER, audience: e.JWT_AUDIENCE },
    outbox: {
      batchSize: e.OUTBOX_BATCH_SIZE,
      retentionHours: e.OUTBOX_RETENTION_HOURS,
      pollMs: e.OUTBOX_POLL_MS,
    },
    publicBaseUrl: e.PUBLIC_BASE_URL,
    metricsPort: e.METRICS_PORT,
  };
}
