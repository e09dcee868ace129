import { ConfigError, parseEnv } from "@nudge/service";
import { type Static, Type } from "@sinclair/typebox";

export { ConfigError };

/** Every environment variable task-api reads, with its default. Nothing else reads process.env. */
const Env = Type.Object({
  PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 3000 }),
  HOST: Type.String({ default: "0.0.0.0" }),
  DATABASE_URL: Type.String({ minLength: 1 }),
  DB_SCHEMA: Type.String({ pattern: "^[a-z_][a-z0-9_]*$", default: "task_api" }),
  DB_POOL_MAX: Type.Integer({ minimum: 1, maximum: 200, default: 10 }),
  DAPR_HOST: Type.String({ default: "127.0.0.1" }),
  DAPR_HTTP_PORT: Type.Integer({ default: 3500 }),
  DAPR_GRPC_PORT: Type.Integer({ default: 50001 }),
  /** Token this app sends to its sidecar (the sidecar's DAPR_API_TOKEN). */
  DAPR_API_TOKEN: Type.Optional(Type.String({ minLength: 1 })),
  /** Token the sidecar sends to this app (the sidecar's APP_API_TOKEN); guards internal routes. */
  APP_API_TOKEN: Type.Optional(Type.String({ minLength: 16 })),
  JWT_SECRET: Type.Optional(Type.String({ minLength: 32 })),
  JWT_JWKS_URL: Type.Optional(Type.String({ pattern: "^https?://" })),
  JWT_ISSUER: Type.String({ minLength: 1 }),
  JWT_AUDIENCE: Type.String({ minLength: 1 }),
  OUTBOX_BATCH_SIZE: Type.Integer({ minimum: 1, maximum: 1000, default: 200 }),
  OUTBOX_RETENTION_HOURS: Type.Number({ minimum: 0, default: 24 }),
  OUTBOX_POLL_MS: Type.Integer({ minimum: 50, default: 2000 }),
  PUBLIC_BASE_URL: Type.String({ default: "http://127.0.0.1:3000" }),
  LOG_LEVEL: Type.Union(
    [Type.Literal("debug"), Type.Literal("info"), Type.Literal("warn"), Type.Literal("error")],
    {
      default: "info",
    },
  ),
});
type Env = Static<typeof Env>;

export interface Config {
  port: number;
  host: string;
  database: { url: string; schema: string; poolMax: number };
  sidecar: { httpUrl: string; grpcPort: number; apiToken?: string };
  appApiToken?: string;
  jwt: { secret?: string; jwksUrl?: string; issuer: string; audience: string };
  outbox: { batchSize: number; retentionHours: number; pollMs: number };
  publicBaseUrl: string;
  logLevel: Env["LOG_LEVEL"];
}

/** Parse the environment once, at start; a bad or missing variable stops the service by name. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const e: Env = parseEnv(Env, env);
  if (!e.JWT_SECRET === !e.JWT_JWKS_URL) {
    throw new ConfigError("invalid configuration:\n  set exactly one of JWT_SECRET (HS256) and JWT_JWKS_URL");
  }
  return {
    port: e.PORT,
    host: e.HOST,
    database: { url: e.DATABASE_URL, schema: e.DB_SCHEMA, poolMax: e.DB_POOL_MAX },
    sidecar: {
      httpUrl: `http://${e.DAPR_HOST}:${e.DAPR_HTTP_PORT}`,
      grpcPort: e.DAPR_GRPC_PORT,
      apiToken: e.DAPR_API_TOKEN,
    },
    appApiToken: e.APP_API_TOKEN,
    jwt: { secret: e.JWT_SECRET, jwksUrl: e.JWT_JWKS_URL, issuer: e.JWT_ISSUER, audience: e.JWT_AUDIENCE },
    outbox: {
      batchSize: e.OUTBOX_BATCH_SIZE,
      retentionHours: e.OUTBOX_RETENTION_HOURS,
      pollMs: e.OUTBOX_POLL_MS,
    },
    publicBaseUrl: e.PUBLIC_BASE_URL,
    logLevel: e.LOG_LEVEL,
  };
}
