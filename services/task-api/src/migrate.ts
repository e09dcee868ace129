/** `bun run migrate`: apply task-api's SQL migrations (also the Kubernetes migration Job). */
import { join } from "node:path";
import { connect, migrate, readMigrations } from "@nudge/db";
import { loadOrExit } from "@nudge/service";
import { loadMigrationConfig } from "./config.ts";

// The compiled executable carries the folder as an asset under its own root (compile-service.ts).
export const MIGRATIONS_DIR = Bun.isStandaloneExecutable
  ? join(import.meta.dir, "migrations")
  : join(import.meta.dir, "..", "migrations");

export async function migrateTaskApi(url: string, schema: string, log: (line: string) => void = () => {}) {
  const sql = connect(url, { schema, max: 1, applicationName: "task-api-migrate" });
  try {
    return await migrate(sql, schema, await readMigrations(MIGRATIONS_DIR), log);
  } finally {
    await sql.end();
  }
}

/** Migrate the database the environment names (DATABASE_URL, DB_SCHEMA), logging each step. */
export async function migrateFromEnvironment() {
  const config = loadOrExit("task-api", () => loadMigrationConfig());
  const applied = await migrateTaskApi(config.database.url, config.database.schema, console.log);
  console.log(applied.length ? `applied ${applied.length} migration(s)` : "schema is up to date");
}

if (import.meta.main) await migrateFromEnvironment();
