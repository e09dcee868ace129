import postgres from "postgres";

export type Sql = postgres.Sql;

export interface ConnectOptions {
  /** The service's own schema: set as search_path on every connection. */
  schema: string;
  max?: number;
  applicationName: string;
}

/** A service's own pool, as its Config names the database (@nudge/service's databaseEnv). */
export function connectService(service: string, database: { url: string; schema: string; poolMax: number }) {
  return connect(database.url, { schema: database.schema, max: database.poolMax, applicationName: service });
}

/** A postgres.js pool for one service, confined to its schema. */
export function connect(url: string, options: ConnectOptions): Sql {
  return postgres(url, {
    max: options.max ?? 10,
    idle_timeout: 30,
    connect_timeout: 10,
    onnotice: () => {},
    connection: {
      application_name: options.applicationName,
      search_path: `${options.schema},public`,
    },
  });
}
