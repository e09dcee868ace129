/** `bun run migrate`: apply task-api's SQL migrations (also the Kubernetes migration Job). */
import { join } from "node:path";
import { connect, migrate, readMigrations } from "@nudge/db";
import { loadConfig } from "./config.ts";

export const MIGRATIONS_DIR = join(import.meta.dir, "..", "migrations");

export async function migrateTaskApi(url: string, schema: string, log: (line: string) => void = () => {}) {
  const sql = connect(url, { schema, max: 1, applicationName: "task-api-migrate" });
  try {
    return await migrate(sql, schema, await readMigrations(MIGRATIONS_DIR), log);
  } finally {
    await sql.end();
  }
}

if (import.meta.main) {
  const config = loadConfig();
  const applied = await migrateTaskApi(config.database.url, config.database.schema, console.log);
  console.log(applied.length ? `applied ${applied.length} migration(s)` : "schema is up to date");
}
