/**
 * `bun run bench task-api`: what creating a task costs through the real HTTP API, next to the
 * same transaction driven by pgbench (the ceiling this Postgres allows), list and search latency
 * over a user with 100 000 tasks, and the server's resident memory. Prints numbers, no verdicts.
 */
import { connect, type Sql } from "../../packages/db/src/index.ts";
import { createDatabase } from "../../packages/testing/src/infra.ts";
import { migrations as taskApiMigrations } from "../../services/task-api/src/migrate.ts";
import type { LoadPlan, LoadResult } from "./task-api/load.ts";
import { type BenchOptions, parseOptions } from "./task-api/options.ts";
import { type PgbenchResult, runPgbench } from "./task-api/pgbench.ts";
import { type BenchServer, runLoad, startServer } from "./task-api/processes.ts";
import { fixed, loadAverage, machineLines, mib, table } from "./task-api/report.ts";
import { SEARCH_WORD, seedTasks } from "./task-api/seed.ts";
import { median } from "./task-api/stats.ts";
import { benchToken } from "./task-api/tokens.ts";

const SCHEMA = "task_api";
const LIST_READER = "bench-reader";
const LIST_QUERIES = [
  "/tasks",
  `/tasks?q=${SEARCH_WORD}`,
  "/tasks?sort=due&status=open&priorityAtLeast=high",
];

const progress = (line: string) => console.error(`  … ${line}`);

/** Medians over the runs; failures are summed, so none hides behind a median. */
function summarize(results: LoadResult[]) {
  return {
    perSecond: median(results.map((r) => r.perSecond)),
    p50Ms: median(results.map((r) => r.p50Ms)),
    p99Ms: median(results.map((r) => r.p99Ms)),
    failures: results.reduce((sum, r) => sum + r.failures, 0),
    firstFailure: results.find((r) => r.firstFailure)?.firstFailure ?? null,
  };
}
type Summary = ReturnType<typeof summarize>;

async function repeat<T>(runs: number, measure: () => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let run = 0; run < runs; run++) results.push(await measure());
  return results;
}

async function measureCreates(options: BenchOptions, server: BenchServer, databaseUrl: string) {
  const tokens = Array.from({ length: options.users }, (_, i) => benchToken(`bench-user-${i + 1}`));
  const rows: Array<{ concurrency: number; api: Summary; pgbench: PgbenchResult }> = [];
  for (const concurrency of options.concurrency) {
    const plan = (requests: number): LoadPlan => ({
      baseUrl: server.baseUrl,
      concurrency,
      requests,
      kind: "create",
      path: "/tasks",
      tokens,
    });
    const pgbench = (transactions: number) =>
      runPgbench(options.pgbench, databaseUrl, { clients: concurrency, transactions, users: options.users });
    // Warm-ups fill the pool, JIT-compile the handlers and load the indexes; they are not counted.
    await runLoad(plan(options.warmup));
    const api = summarize(await repeat(options.runs, () => runLoad(plan(options.requests))));
    await pgbench(options.warmup);
    const ceiling = await repeat(options.runs, () => pgbench(options.requests));
    rows.push({
      concurrency,
      api,
      pgbench: {
        tps: median(ceiling.map((r) => r.tps)),
        latencyAvgMs: median(ceiling.map((r) => r.latencyAvgMs)),
        failed: ceiling.reduce((sum, r) => sum + r.failed, 0),
      },
    });
    progress(
      `creates at concurrency ${concurrency}: API ${fixed(api.perSecond)} req/s, pgbench ${fixed(rows.at(-1)?.pgbench.tps ?? Number.NaN)} tps`,
    );
  }
  return rows;
}

async function measureLists(options: BenchOptions, server: BenchServer, sql: Sql) {
  const began = performance.now();
  const { matches } = await seedTasks(sql, LIST_READER, options.seedTasks);
  const seedSeconds = (performance.now() - began) / 1000;
  progress(`seeded ${options.seedTasks} tasks in ${fixed(seedSeconds)} s`);
  const tokens = [benchToken(LIST_READER)];
  const rows: Array<{ path: string; result: Summary }> = [];
  for (const path of LIST_QUERIES) {
    const plan = (requests: number): LoadPlan => ({
      baseUrl: server.baseUrl,
      concurrency: options.listConcurrency,
      requests,
      kind: "read",
      path,
      tokens,
    });
    await runLoad(plan(Math.max(options.listConcurrency, Math.ceil(options.listRequests / 10))));
    rows.push({
      path,
      result: summarize(await repeat(options.runs, () => runLoad(plan(options.listRequests)))),
    });
  }
  return { rows, matches, seedSeconds };
}

function failureNotes(summaries: Array<{ label: string; summary: Summary }>): string[] {
  return summaries
    .filter(({ summary }) => summary.failures > 0)
    .map(
      ({ label, summary }) => `note: ${label}: ${summary.failures} failed, first: ${summary.firstFailure}`,
    );
}

export async function run(args: string[]): Promise<void> {
  const options = parseOptions(args);
  if (!options) return;
  const name = `nudge_bench_${new Date().toISOString().replace(/\D/g, "").slice(0, 14)}`;
  const database = await createDatabase(options.databaseUrl, name);
  let server: BenchServer | undefined;
  let sql: Sql | undefined;
  // One clean-up, however many paths (the finally, Ctrl-C) ask for it, each awaiting it to the end.
  let cleaning: Promise<void> | undefined;
  const cleanUp = () =>
    (cleaning ??= (async () => {
      await server?.stop();
      await sql?.end({ timeout: 5 });
      await database.drop();
    })());
  // Ctrl-C must not leave a database (or a server) behind. `on`, not `once`: `bun run` forwards
  // the terminal's SIGINT too, and a second signal must not kill the clean-up half-way.
  process.on("SIGINT", () => {
    cleanUp().then(
      () => process.exit(130),
      (error) => {
        console.error(`bench: clean-up after Ctrl-C failed: ${error}`);
        process.exit(130);
      },
    );
  });
  try {
    await taskApiMigrations.apply(database.url, SCHEMA);
    sql = connect(database.url, { schema: SCHEMA, max: 1, applicationName: "task-api-bench-seed" });
    console.log(`task-api benchmark, ${new Date().toISOString()}`);
    for (const line of await machineLines(sql, options.pgbench)) console.log(line);
    console.log(`database: ${name} (created and migrated for this run, dropped at the end)`);
    console.log(
      `server: task-api as main.ts builds it (its runtime, DB_POOL_MAX=${options.poolMax}) in its own process;` +
        " load from a separate process.\nThe outbox relay is NOT started: this measures the write path (task, tags," +
        " two outbox rows and NOTIFY in one transaction); publishing is asynchronous.",
    );
    console.log(
      options.runs > 1
        ? `every number is the median of ${options.runs} runs`
        : "every number is a single run (--runs N reports medians of N)",
    );

    server = await startServer(database.url, options.poolMax);
    await Bun.sleep(2000); // "idle" means settled after start, before any request
    const idleRss = await server.rssKib();
    const creates = await measureCreates(options, server, database.url);
    const afterCreatesRss = await server.rssKib();
    const lists = await measureLists(options, server, sql);
    const afterListsRss = await server.rssKib();

    console.log(
      `\nCreate: POST /tasks (title, 2 tags, dueAt), ${options.requests} per level after ${options.warmup} warm-up,` +
        ` ${options.users} users.\npgbench: the same transaction (scripts/bench/task-insert.pgbench.sql),` +
        " -M prepared, as many transactions, -j 2.\npgbench opens one connection per client; the API" +
        ` shares its pool of ${options.poolMax}, so under high concurrency it queues in the pool instead.`,
    );
    console.log(
      table(
        [
          "concurrency",
          "API req/s",
          "API p50 ms",
          "API p99 ms",
          "pgbench tps",
          "pgbench avg ms",
          "API/pgbench",
        ],
        creates.map(({ concurrency, api, pgbench }) => [
          String(concurrency),
          fixed(api.perSecond),
          fixed(api.p50Ms, 2),
          fixed(api.p99Ms, 2),
          fixed(pgbench.tps),
          fixed(pgbench.latencyAvgMs, 2),
          fixed(api.perSecond / pgbench.tps, 2),
        ]),
      ),
    );

    console.log(
      `\nList/search: one user with ${options.seedTasks} tasks (seeded in ${fixed(lists.seedSeconds)} s;` +
        ` "${SEARCH_WORD}" matches ${lists.matches}), pages of 50,` +
        ` ${options.listRequests} requests per query at concurrency ${options.listConcurrency}.`,
    );
    console.log(
      table(
        ["query", "req/s", "p50 ms", "p99 ms"],
        lists.rows.map(({ path, result }) => [
          `GET ${path}`,
          fixed(result.perSecond),
          fixed(result.p50Ms, 2),
          fixed(result.p99Ms, 2),
        ]),
      ),
    );

    console.log(
      `\nServer memory (VmRSS): idle ${mib(idleRss)} · after creates ${mib(afterCreatesRss)}` +
        ` · after lists ${mib(afterListsRss)}`,
    );
    const notes = failureNotes([
      ...creates.map(({ concurrency, api }) => ({ label: `creates at ${concurrency}`, summary: api })),
      ...lists.rows.map(({ path, result }) => ({ label: `GET ${path}`, summary: result })),
    ]);
    for (const { concurrency, pgbench } of creates) {
      if (pgbench.failed)
        notes.push(`note: pgbench at ${concurrency}: ${pgbench.failed} failed transactions`);
    }
    for (const note of notes) console.log(note);
    console.log(`load average at end: ${loadAverage()}`);
  } finally {
    await cleanUp();
  }
}
