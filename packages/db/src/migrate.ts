import { createHash } from "node:crypto";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import type { Sql } from "./connect.ts";

export interface Migration {
  version: string;
  checksum: string;
  sql: string;
}

/** Plain SQL files named `NNN_description.sql`, applied in name order. */
export async function readMigrations(dir: string): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((name) => /^\d+_[\w-]+\.sql$/.test(name)).sort();
  return Promise.all(
    files.map(async (file) => {
      const sql = await Bun.file(join(dir, file)).text();
      return {
        version: file.replace(/\.sql$/, ""),
        checksum: createHash("sha256").update(sql).digest("hex"),
        sql,
      };
    }),
  );
}

/**
 * Apply pending migrations to `schema`, each in its own transaction, under a session advisory
 * lock so replicas (or a Job and a developer) can't race. An applied migration whose file
 * changed is an error: history is never rewritten silently.
 */
export async function migrate(
  sql: Sql,
  schema: string,
  migrations: Migration[],
  log: (line: string) => void = () => {},
): Promise<string[]> {
  const applied: string[] = [];
  await sql.reserve().then(async (conn) => {
    try {
      await conn`select pg_advisory_lock(hashtext(${`nudge-migrations:${schema}`}))`;
      await conn.unsafe(`create schema if not exists "${schema}"`);
      await conn.unsafe(`create table if not exists "${schema}".schema_migrations (
        version text primary key,
        checksum text not null,
        applied_at timestamptz not null default now())`);
      const rows = await conn.unsafe<{ version: string; checksum: string }[]>(
        `select version, checksum from "${schema}".schema_migrations`,
      );
      const done = new Map(rows.map((row) => [row.version, row.checksum]));
      for (const migration of migrations) {
        const checksum = done.get(migration.version);
        if (checksum === migration.checksum) continue;
        if (checksum)
          throw new Error(`migration ${migration.version} was changed after it was applied to ${schema}`);
        const started = performance.now();
        await conn.unsafe("begin");
        try {
          await conn.unsafe(`set local search_path to "${schema}", public`);
          await conn.unsafe(migration.sql);
          await conn.unsafe(`insert into "${schema}".schema_migrations (version, checksum) values ($1, $2)`, [
            migration.version,
            migration.checksum,
          ]);
          await conn.unsafe("commit");
        } catch (error) {
          await conn.unsafe("rollback");
          throw new Error(`migration ${migration.version} failed: ${(error as Error).message}`);
        }
        log(`applied ${schema}/${migration.version} in ${Math.round(performance.now() - started)} ms`);
        applied.push(migration.version);
      }
    } finally {
      await conn`select pg_advisory_unlock(hashtext(${`nudge-migrations:${schema}`}))`.catch(() => {});
      conn.release();
    }
  });
  return applied;
}
