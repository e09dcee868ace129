import { benchFlags } from "../common/flags.ts";
import { findPgbench } from "./pgbench.ts";

export interface BenchOptions {
  /** Server-level URL; the benchmark creates and drops its own database there. */
  databaseUrl: string;
  pgbench: string;
  concurrency: number[];
  requests: number;
  warmup: number;
  runs: number;
  users: number;
  poolMax: number;
  seedTasks: number;
  listRequests: number;
  listConcurrency: number;
}

export const USAGE = `bun run bench task-api [options]

  --requests N          measured creates per concurrency level (default 3000)
  --warmup N            creates before each level, not measured (default: requests / 10)
  --concurrency LIST    comma-separated levels (default 1,16,64)
  --runs N              measure each level N times and report medians (default 1)
  --users N             users the creates are spread over (default 100)
  --pool N              the server's DB_POOL_MAX (default 10, the service default)
  --seed-tasks N        tasks seeded for the list/search user (default 100000)
  --list-requests N     measured requests per list query (default 200)
  --list-concurrency N  list requests in flight (default 16)
  --database-url URL    PostgreSQL server (default: DATABASE_URL, else ./nudge env)
  --pgbench PATH        pgbench binary (default: PATH, else /usr/lib/postgresql/<newest>/bin)`;

export function count(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`--${flag} must be a positive integer (got ${text})`);
  return value;
}

/** The local stack's variables (DATABASE_URL, KAFKA_BROKERS, DAPR_BIN_DIR, …), as `./nudge env` prints them. */
export function stackEnv(): Record<string, string> {
  const root = new URL("../../..", import.meta.url).pathname;
  const result = Bun.spawnSync(["./nudge", "env"], { cwd: root, stderr: "ignore" });
  const lines = result.stdout.toString().matchAll(/^([A-Z][A-Z0-9_]*)=(.+)$/gm);
  return Object.fromEntries([...lines].map(([, name, value]) => [name, value]));
}

/** The parsed flags, or null when --help asked only for the usage. */
export function parseOptions(args: string[]): BenchOptions | null {
  const values = benchFlags(args, {
    values: [
      "requests",
      "warmup",
      "concurrency",
      "runs",
      "users",
      "pool",
      "seed-tasks",
      "list-requests",
      "list-concurrency",
      "database-url",
      "pgbench",
    ],
  });
  if (values.help) {
    console.log(USAGE);
    return null;
  }
  const databaseUrl = values["database-url"] ?? process.env.DATABASE_URL ?? stackEnv().DATABASE_URL;
  if (!databaseUrl)
    throw new Error("no PostgreSQL: start the stack (./nudge up --infra) or pass --database-url");
  const pgbench = values.pgbench ?? findPgbench();
  if (!pgbench) throw new Error("pgbench not found: install postgresql-client or pass --pgbench");
  const requests = count("requests", values.requests, 3000);
  return {
    databaseUrl,
    pgbench,
    concurrency: (values.concurrency ?? "1,16,64").split(",").map((level) => count("concurrency", level, 1)),
    requests,
    warmup: count("warmup", values.warmup, Math.max(1, Math.ceil(requests / 10))),
    runs: count("runs", values.runs, 1),
    users: count("users", values.users, 100),
    poolMax: count("pool", values.pool, 10),
    seedTasks: count("seed-tasks", values["seed-tasks"], 100_000),
    listRequests: count("list-requests", values["list-requests"], 200),
    listConcurrency: count("list-concurrency", values["list-concurrency"], 16),
  };
}
