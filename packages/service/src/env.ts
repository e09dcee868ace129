import { type Static, type TObject, Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";

export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Read a service's environment through its TypeBox schema, once, at start: defaults filled,
 * numbers converted, and every missing or invalid variable named in one error.
 */
export function parseEnv<T extends TObject>(schema: T, env: Record<string, string | undefined>): Static<T> {
  const known = Object.fromEntries(Object.keys(schema.properties).map((key) => [key, env[key] || undefined]));
  const value = Value.Default(schema, Value.Convert(schema, known));
  const errors = [...Value.Errors(schema, value)];
  if (errors.length) {
    const lines = errors.map((e) => `${e.path.slice(1) || "(env)"}: ${e.message}`);
    throw new ConfigError(`invalid configuration:\n  ${[...new Set(lines)].join("\n  ")}`);
  }
  return value as Static<T>;
}

/** For main.ts: print the configuration problem and exit with status 2 instead of a stack trace. */
export function loadOrExit<C>(service: string, load: () => C): C {
  try {
    return load();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`${service}: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
}

/**
 * The variables every Nudge service reads (its port, sidecar, tokens, log level); services
 * spread these into their own schema and add what is theirs.
 */
export function serviceEnv(defaults: { port: number }) {
  return {
    PORT: Type.Integer({ minimum: 1, maximum: 65535, default: defaults.port }),
    HOST: Type.String({ default: "0.0.0.0" }),
    DAPR_HOST: Type.String({ default: "127.0.0.1" }),
    DAPR_HTTP_PORT: Type.Integer({ default: 3500 }),
    DAPR_GRPC_PORT: Type.Integer({ default: 50001 }),
    /** Token this app sends to its sidecar (the sidecar's DAPR_API_TOKEN). */
    DAPR_API_TOKEN: Type.Optional(Type.String({ minLength: 1 })),
    /** Token the sidecar sends to this app (the sidecar's APP_API_TOKEN): proof a call came through it. */
    APP_API_TOKEN: Type.Optional(Type.String({ minLength: 16 })),
    LOG_LEVEL: Type.Union(
      [Type.Literal("debug"), Type.Literal("info"), Type.Literal("warn"), Type.Literal("error")],
      {
        default: "info",
      },
    ),
  };
}

/** The service's own PostgreSQL schema (for services that keep data). */
export function databaseEnv(defaults: DatabaseDefaults) {
  return {
    DATABASE_URL: Type.String({ minLength: 1 }),
    DB_SCHEMA: Type.String({ pattern: "^[a-z_][a-z0-9_]*$", default: defaults.schema }),
    DB_POOL_MAX: Type.Integer({ minimum: 1, maximum: 200, default: defaults.poolMax }),
  };
}

/** A service's schema and pool size when the environment names none. */
export interface DatabaseDefaults {
  schema: string;
  poolMax: number;
}

/** serviceEnv plus databaseEnv: what every service with a database reads. */
export function commonEnv(defaults: { port: number } & DatabaseDefaults) {
  return { ...serviceEnv(defaults), ...databaseEnv(defaults) };
}

type ServiceEnv = Static<TObject<ReturnType<typeof serviceEnv>>>;
type DatabaseEnv = Static<TObject<ReturnType<typeof databaseEnv>>>;

/** The parsed form of serviceEnv. */
export function serviceConfig(e: ServiceEnv) {
  return {
    port: e.PORT,
    host: e.HOST,
    sidecar: {
      httpUrl: `http://${e.DAPR_HOST}:${e.DAPR_HTTP_PORT}`,
      grpcHost: e.DAPR_HOST,
      grpcPort: e.DAPR_GRPC_PORT,
      apiToken: e.DAPR_API_TOKEN,
    },
    appApiToken: e.APP_API_TOKEN,
    logLevel: e.LOG_LEVEL,
  };
}

/** The parsed form of databaseEnv. */
export function databaseConfig(e: DatabaseEnv) {
  return { database: { url: e.DATABASE_URL, schema: e.DB_SCHEMA, poolMax: e.DB_POOL_MAX } };
}

/** The parsed form of commonEnv: what every service with a database starts its Config with. */
export function commonConfig(e: ServiceEnv & DatabaseEnv) {
  return { ...serviceConfig(e), ...databaseConfig(e) };
}

/** What every service's Config starts with; each adds what is its own. */
export type ServiceConfig = ReturnType<typeof serviceConfig>;
/** ServiceConfig plus the database, for services that keep data. */
export type CommonConfig = ReturnType<typeof commonConfig>;

/**
 * What `<service> migrate` reads: the database only. Migrations never need the service's
 * secrets (signing keys, API keys, JWT settings), so the migration Job gets none.
 */
export function loadDatabaseConfig(
  defaults: DatabaseDefaults,
  env: Record<string, string | undefined> = process.env,
) {
  return databaseConfig(parseEnv(Type.Object(databaseEnv(defaults)), env));
}
