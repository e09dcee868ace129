/**
 * `bun run bench worst-cases [--tasks N] [--repeat N] [--rounds N]`: the CPU time task-api spends
 * on the most expensive requests we can construct — deep and wide JSON, the worst recurrence rules
 * through the API, a long series, the biggest pages, searches and filters over a large account,
 * oversized headers and queries. The server runs as its own process; its CPU time (utime + stime
 * from /proc) is read around `repeat` sequential requests and divided, the median of `rounds` is
 * printed with the answer's status and the load average. The target is < 50 ms each. A request
 * that does not answer within 5 s is printed as such and the server is restarted.
 */
import { parseArgs } from "node:util";
import { connect } from "../../packages/db/src/index.ts";
import { createDatabase } from "../../packages/testing/src/infra.ts";
import { migrations as taskApiMigrations } from "../../services/task-api/src/migrate.ts";
import { stackEnv } from "./task-api/options.ts";
import { type BenchServer, startServer } from "./task-api/processes.ts";
import { fixed, loadAverage, table } from "./task-api/report.ts";
import { seedTasks } from "./task-api/seed.ts";
import { median } from "./task-api/stats.ts";
import { benchToken } from "./task-api/tokens.ts";

const TARGET_MS = 50;
const TIMEOUT_MS = 5000;
const TICKS_PER_SECOND = 100; // USER_HZ on Linux

interface Case {
  name: string;
  method: string;
  path: string | (() => string);
  body?: string;
  headers?: Record<string, string>;
}

const clockTicks = async (pid: number) => {
  const stat = await Bun.file(`/proc/${pid}/stat`).text();
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]); // utime + stime
};

function cases(seriesId: () => string): Case[] {
  const json = { "content-type": "application/json" };
  const words = Array.from({ length: 40 }, (_, i) => `w${i}`).join(" ");
  const rule = (r: string) =>
    `/recurrence/preview?count=100&rule=${encodeURIComponent(r)}&start=2026-01-01T00:00:00Z`;
  return [
    {
      name: "10 000 nested objects (60 KB)",
      method: "POST",
      path: "/tasks",
      headers: json,
      body: `${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}`.slice(0, 65_000),
    },
    {
      name: "5 000 nested arrays",
      method: "POST",
      path: "/tasks",
      headers: json,
      body: `${"[".repeat(5000)}${"]".repeat(5000)}`,
    },
    {
      name: "64 KiB object of 5 000 keys",
      method: "POST",
      path: "/tasks",
      headers: json,
      body: JSON.stringify(Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i]))),
    },
    {
      name: "64 KiB of escaped text",
      method: "POST",
      path: "/tasks",
      headers: json,
      body: JSON.stringify({ title: "t", description: "\\u00e9".repeat(2000) + "é".repeat(8000) }),
    },
    {
      name: "a valid task with 50 tags and a 10 000-character description",
      method: "POST",
      path: "/tasks",
      headers: json,
      body: JSON.stringify({
        title: "big",
        description: "d".repeat(10_000),
        tags: Array.from({ length: 50 }, (_, i) => `tag-${i}`),
      }),
    },
    {
      name: "rule FREQ=HOURLY;BYHOUR=25 (never matches)",
      method: "GET",
      path: rule("FREQ=HOURLY;BYHOUR=25"),
    },
    {
      name: "rule FREQ=MINUTELY;INTERVAL=1440;BYHOUR=1",
      method: "GET",
      path: rule("FREQ=MINUTELY;INTERVAL=1440;BYHOUR=1"),
    },
    {
      name: "rule FREQ=HOURLY;INTERVAL=24;BYHOUR=1",
      method: "GET",
      path: rule("FREQ=HOURLY;INTERVAL=24;BYHOUR=1"),
    },
    {
      name: "rule FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
      method: "GET",
      path: rule("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"),
    },
    {
      name: "rule FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO (rare)",
      method: "GET",
      path: rule("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO"),
    },
    { name: "rule FREQ=SECONDLY, 100 instants", method: "GET", path: rule("FREQ=SECONDLY") },
    {
      name: "100 occurrences of an hourly series a year old",
      method: "GET",
      path: () => `/tasks/${seriesId()}/occurrences?count=100`,
    },
    { name: "a page of 200 tasks (default sort)", method: "GET", path: "/tasks?limit=200" },
    { name: "a page of 200 tasks by title", method: "GET", path: "/tasks?limit=200&sort=title" },
    {
      name: "a page of 200 tasks due today (zone lookup)",
      method: "GET",
      path: "/tasks?limit=200&dueToday=false&overdue=false",
    },
    {
      name: "search for one letter (prefix of plan, pay, passport…)",
      method: "GET",
      path: "/tasks?q=p&limit=200",
    },
    { name: "search of 40 words", method: "GET", path: `/tasks?q=${encodeURIComponent(words)}&limit=200` },
    {
      name: "50 tag names, all must match",
      method: "GET",
      path: `/tasks?limit=200&tagMatch=all&tags=${Array.from({ length: 50 }, (_, i) => `t${i}`).join(",")}`,
    },
    {
      name: "just under 8 KiB of headers",
      method: "GET",
      path: "/tasks?limit=1",
      headers: { "x-pad": "p".repeat(7000) },
    },
    {
      name: "4 KiB query string",
      method: "GET",
      path: `/tasks?q=${"a".repeat(190)}&tags=${"b,".repeat(490)}`,
    },
    {
      name: "a forged cursor",
      method: "GET",
      path: `/tasks?cursor=${Buffer.from(JSON.stringify({ s: "created", o: "desc", f: "x", k: "9".repeat(900), i: crypto.randomUUID() })).toString("base64url")}`,
    },
  ];
}

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      tasks: { type: "string", default: "20000" },
      repeat: { type: "string", default: "10" },
      rounds: { type: "string", default: "5" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log("bun run bench worst-cases [--tasks 20000] [--repeat 10] [--rounds 5]");
    return;
  }
  const databaseUrl = process.env.DATABASE_URL ?? stackEnv().DATABASE_URL;
  if (!databaseUrl) throw new Error("no DATABASE_URL: start the stack (./nudge up --infra) first");
  const database = await createDatabase(databaseUrl, `nudge_worst_${Date.now()}`);
  const sql = connect(database.url, { schema: "task_api", max: 2, applicationName: "worst-cases-bench" });
  let server: BenchServer | undefined;
  try {
    await taskApiMigrations.apply(database.url, "task_api");
    const user = "worst-case-user";
    await seedTasks(sql, user, Number(values.tasks));
    const token = benchToken(user);
    const start = async () => {
      server = await startServer(database.url, 10);
      return server;
    };
    await start();
    const anchor = new Date(Date.now() - 365 * 86_400_000);
    anchor.setUTCMinutes(0, 0, 0);
    const created = await fetch(`${server?.baseUrl}/tasks`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ title: "hourly", dueAt: anchor.toISOString(), recurrence: "FREQ=HOURLY" }),
    });
    const seriesTask = (await created.json()) as { id: string };
    const repeat = Number(values.repeat);
    const rows: string[][] = [];
    for (const c of cases(() => seriesTask.id)) {
      const current = server as BenchServer;
      const pid = current.pid;
      const send = () =>
        fetch(`${current.baseUrl}${typeof c.path === "string" ? c.path : c.path()}`, {
          method: c.method,
          headers: { authorization: `Bearer ${token}`, ...c.headers },
          body: c.body,
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
      let status = "";
      const perRequest: number[] = [];
      const wall: number[] = [];
      try {
        const first = await send();
        status = String(first.status);
        await first.arrayBuffer();
        for (let round = 0; round < Number(values.rounds); round++) {
          const before = await clockTicks(pid);
          const began = performance.now();
          for (let i = 0; i < repeat; i++) await (await send()).arrayBuffer();
          wall.push((performance.now() - began) / repeat);
          const ticks = (await clockTicks(pid)) - before;
          perRequest.push(((ticks / TICKS_PER_SECOND) * 1000) / repeat);
        }
      } catch (error) {
        rows.push([c.name, `no answer in ${TIMEOUT_MS / 1000} s`, "", "", "no"]);
        console.error(`  … ${c.name}: ${String(error)}; restarting the server`);
        await current.stop();
        await start();
        continue;
      }
      const ms = median(perRequest);
      rows.push([c.name, status, fixed(ms, 1), fixed(median(wall), 1), ms < TARGET_MS ? "yes" : "no"]);
      console.error(`  … ${c.name}: ${fixed(ms, 1)} ms CPU`);
    }
    console.log(
      `worst-case requests: server CPU time per request (median of ${values.rounds} rounds of ${repeat}), target < ${TARGET_MS} ms`,
    );
    console.log(
      `account: ${values.tasks} tasks; load average ${loadAverage()}; ${Bun.version} on ${process.platform}`,
    );
    console.log(table(["request", "status", "server CPU ms", "wall ms", `CPU < ${TARGET_MS} ms`], rows));
    console.log("server CPU: utime + stime of the task-api process (10 ms ticks, divided over the repeats);");
    console.log("wall: one request's latency, PostgreSQL's work included.");
  } finally {
    await server?.stop();
    await sql.end({ timeout: 5 });
    await database.drop();
  }
}
