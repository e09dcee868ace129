import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

const SCRIPT = join(import.meta.dir, "..", "task-insert.pgbench.sql");

export interface PgbenchResult {
  tps: number;
  latencyAvgMs: number;
  failed: number;
}

/** pgbench on PATH, else the newest Debian-packaged one (the local stack's server binaries). */
export function findPgbench(): string | null {
  const onPath = Bun.which("pgbench");
  if (onPath) return onPath;
  const versions = (() => {
    try {
      return readdirSync("/usr/lib/postgresql").filter((v) => /^\d+$/.test(v));
    } catch {
      return [];
    }
  })().sort((a, b) => Number(b) - Number(a));
  const found = versions.map((v) => `/usr/lib/postgresql/${v}/bin/pgbench`).find((path) => existsSync(path));
  return found ?? null;
}

/**
 * One pgbench run of task-insert.pgbench.sql: `clients` connections (-c), each running its share
 * of `transactions` (-t), on two threads at most (-j): enough to keep 64 connections busy, while
 * more would only take cores from Postgres.
 * -M prepared because postgres.js prepares its statements too; -n since there are no pgbench tables.
 */
export async function runPgbench(
  pgbench: string,
  databaseUrl: string,
  options: { clients: number; transactions: number; users: number },
): Promise<PgbenchResult> {
  const args = [
    pgbench,
    "-n",
    "-M",
    "prepared",
    "-f",
    SCRIPT,
    "-c",
    String(options.clients),
    "-j",
    String(Math.min(2, options.clients)),
    "-t",
    String(Math.ceil(options.transactions / options.clients)),
    "-D",
    `users=${options.users}`,
    databaseUrl,
  ];
  // The service reaches its tables through search_path, set per connection exactly like connect().
  const child = Bun.spawn(args, {
    env: { ...process.env, PGOPTIONS: "-c search_path=task_api,public" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [output, errors, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  if (code !== 0) throw new Error(`pgbench exited with code ${code}:\n${errors}${output}`);
  return parsePgbench(output);
}

/** Reads "tps = 812.3 (without initial connection time)" and "latency average = 1.2 ms". */
export function parsePgbench(output: string): PgbenchResult {
  const tps = /^tps = ([\d.]+)/m.exec(output);
  const latency = /^latency average = ([\d.]+) ms/m.exec(output);
  const failed = /^number of failed transactions: (\d+)/m.exec(output);
  if (!tps?.[1] || !latency?.[1]) throw new Error(`pgbench printed no tps or latency:\n${output}`);
  return { tps: Number(tps[1]), latencyAvgMs: Number(latency[1]), failed: Number(failed?.[1] ?? 0) };
}
