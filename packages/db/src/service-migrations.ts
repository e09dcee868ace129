import { join } from "node:path";
import { type DatabaseDefaults, loadDatabaseConfig, loadOrExit } from "@nudge/service";
import { connect } from "./connect.ts";
import { migrate, readMigrations } from "./migrate.ts";

/**
 * A service's migrations/ folder and how to apply it. `srcDir` is the import.meta.dir of the
 * service's src/migrate.ts: the folder sits beside src/ in the source tree, and at the root of a
 * compiled executable, which carries it as an asset (scripts/compile-service.ts).
 */
export function serviceMigrations(service: string, srcDir: string, defaults: DatabaseDefaults) {
  const dir = Bun.isStandaloneExecutable ? join(srcDir, "migrations") : join(srcDir, "..", "migrations");

  /** Apply the pending migrations to `schema` over a connection of their own, closed after. */
  async function apply(url: string, schema: string, log: (line: string) => void = () => {}) {
    const sql = connect(url, { schema, max: 1, applicationName: `${service}-migrate` });
    try {
      return await migrate(sql, schema, await readMigrations(dir), log);
    } finally {
      await sql.end();
    }
  }

  return {
    dir,
    apply,
    /**
     * `<service> migrate`: migrate the database the environment names, logging each step. It
     * reads the database's variables only: the migration Job gets none of the service's secrets.
     */
    async fromEnvironment() {
      const { database } = loadOrExit(service, () => loadDatabaseConfig(defaults));
      const applied = await apply(database.url, database.schema, console.log);
      console.log(applied.length ? `applied ${applied.length} migration(s)` : "schema is up to date");
    },
  };
}
