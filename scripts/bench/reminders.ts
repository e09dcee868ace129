/**
 * `bun run bench reminders`: how late, and how reliably, reminder emails arrive when many fall
 * due close together, on the real path the tests start (task-api + outbox → Kafka →
 * notification-service → a Dapr job per due bucket → bucketDelivery workflow → Resend capture
 * server), and what that costs in CPU and memory. Prints numbers, no verdicts; `--table` runs
 * every row of the reminder-scale table and prints it filled in.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { stopTestStack } from "../../packages/testing/src/index.ts";
import { cacheDir } from "../../packages/testing/src/paths.ts";
import { createReminders, createTasks, createUsers } from "./reminders/load.ts";
import { parseOptions, type ReminderBenchOptions, useLocalStack } from "./reminders/options.ts";
import { deliveredCount, type ExpectedEmail, tally } from "./reminders/outcome.ts";
import { creationLines, headerLines, outcomeLines, usageLines } from "./reminders/report.ts";
import {
  childrenNamed,
  postmasterPid,
  type Sampler,
  startSampler,
  type Target,
} from "./reminders/sampler.ts";
import { type BenchSystem, daprdCpuProfile, startBenchSystem } from "./reminders/system.ts";
import {
  type RunFigures,
  rowsNamed,
  TABLE_ROWS,
  type TableRow,
  tableLines,
  untilQuiet,
} from "./reminders/table.ts";
import { fixed, loadAverage } from "./task-api/report.ts";

/** Emails may still arrive after the last reminder's first one: duplicates are counted this long after. */
const DUPLICATE_GRACE_MS = 5000;
/** The last reminder's email is awaited until this long after its instant. */
const DEADLINE_AFTER_LAST_MS = 120_000;
/** The system is sampled doing nothing for this long first. */
const IDLE_MS = 10_000;

const progress = (line: string) => console.error(`  … ${line}`);
const seconds = (since: number) => (performance.now() - since) / 1000;
/** An epoch-ms instant on the performance.now() clock the sampler uses. */
const onPerformanceClock = (epochMs: number) => epochMs - performance.timeOrigin;

function pidOf(process: { pid: number | undefined }, what: string): number {
  if (process.pid === undefined) throw new Error(`${what} has no process`);
  return process.pid;
}

/** Every process of the system, and the two outside it (this process, the machine). */
async function targetsOf(system: BenchSystem): Promise<Target[]> {
  const [backend] = await system.sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
  const postmaster = backend ? await postmasterPid(backend.pid) : null;
  const kafkaPidFile = join(cacheDir, "run", "kafka.pid");
  const kafka = existsSync(kafkaPidFile) ? Number(readFileSync(kafkaPidFile, "utf8").trim()) : null;
  return [
    { label: "task-api app", pid: pidOf(system.taskApi.app, "task-api") },
    { label: "daprd task-api", pid: pidOf(system.taskApi.sidecar, "daprd task-api") },
    ...system.replicas.flatMap((r) => [
      { label: `notification-service ${r.index} app`, pid: pidOf(r.app, "notification-service") },
      { label: `daprd notification-service ${r.index}`, pid: pidOf(r.sidecar, "daprd") },
    ]),
    ...(await childrenNamed(process.pid, "scheduler")).map((pid) => ({ label: "dapr scheduler", pid })),
    ...(await childrenNamed(process.pid, "placement")).map((pid) => ({ label: "dapr placement", pid })),
    ...(postmaster ? [{ label: "PostgreSQL (all processes)", pid: postmaster, tree: true }] : []),
    ...(kafka ? [{ label: "Kafka broker", pid: kafka }] : []),
    { label: "bench: load + Resend stand-in", pid: process.pid, outside: true },
    { label: "whole machine (all cores)", pid: null, outside: true },
  ];
}

/** Occurrences notification-service has stored from the reminders' events. */
async function armedCount(system: BenchSystem): Promise<number> {
  const [row] = await system.sql<{ count: number }[]>`select count(*)::int as count from occurrences`;
  return row?.count ?? 0;
}

/** task-api's outbox rows not yet published: events the relay still owes Kafka. */
async function backlog(system: BenchSystem): Promise<string> {
  const [row] = await system.sql<{ count: number }[]>`
    select count(*)::int as count from task_api.outbox where sent_at is null and parked_at is null`;
  return `outbox backlog ${row?.count ?? 0}`;
}

/** Wait until every expected email has arrived or the deadline passes; true when it passed. */
async function awaitDeliveries(system: BenchSystem, expected: ExpectedEmail[], deadline: number) {
  let lastReport = 0;
  for (;;) {
    const delivered = deliveredCount(expected, system.mail.emails());
    if (delivered === expected.length) return false;
    if (Date.now() > deadline) return true;
    if (Date.now() - lastReport >= 5000) {
      // Armed: occurrences notification-service has stored from the reminders' events — a
      // reminder not yet armed when it falls due can only be late.
      progress(
        `${await backlog(system)}, armed ${await armedCount(system)} / ${expected.length}, delivered ${delivered} / ${expected.length}`,
      );
      lastReport = Date.now();
    }
    await Bun.sleep(100);
  }
}

export async function run(args: string[]): Promise<void> {
  const options = parseOptions(args);
  if (!options) return;
  useLocalStack();
  let stopping: (() => Promise<void>) | undefined;
  // Ctrl-C must not leave sidecars, the control plane or the database behind.
  const interrupted = (signal: string) => {
    console.error(`bench: ${signal}, stopping the reminder system and the test stack`);
    (stopping?.() ?? Promise.resolve()).then(
      () => process.exit(130),
      (error) => {
        console.error(`bench: clean-up after ${signal} failed: ${error}`);
        process.exit(130);
      },
    );
  };
  // `on`, not `once`: Ctrl-C reaches this process twice (from the terminal, and forwarded by
  // `bun run bench`), and a second SIGINT without a handler would kill it mid-clean-up.
  process.on("SIGINT", () => interrupted("SIGINT"));
  process.on("SIGTERM", () => interrupted("SIGTERM"));
  const onStop = (stop: () => Promise<void>) => {
    stopping = stop;
  };

  if (!options.rows) {
    if (options.quietBelow !== undefined)
      await untilQuiet(options.quietBelow, options.quietMaxMinutes, progress);
    await measure(options, onStop);
    return;
  }
  const rows: TableRow[] = options.rows === "all" ? TABLE_ROWS : rowsNamed(options.rows);
  const results: Array<{ row: TableRow; figures: RunFigures | Error }> = [];
  for (const row of rows) {
    console.log(`
=== ${row.load} (target: ${row.target}) ===`);
    await untilQuiet(options.quietBelow ?? 3, options.quietMaxMinutes, progress);
    const figures = await measure({ ...options, ...row.options }, onStop).catch((error: Error) => {
      console.log(`run failed: ${error.stack ?? error}`);
      return error;
    });
    results.push({ row, figures });
  }
  for (const line of tableLines(results)) console.log(line);
}

/** One run on a fresh system: prints its report and returns the figures the table needs. */
async function measure(
  options: ReminderBenchOptions,
  onStop: (stop: () => Promise<void>) => void,
): Promise<RunFigures> {
  let system: BenchSystem | undefined;
  let sampler: Sampler | undefined;
  // One clean-up, however many paths (the finally, Ctrl-C) ask for it, each awaiting it to the end.
  let cleaning: Promise<void> | undefined;
  const cleanUp = () =>
    (cleaning ??= (async () => {
      await sampler?.stop();
      const errors: unknown[] = [];
      await system?.stop().catch((error) => errors.push(error));
      await stopTestStack().catch((error) => errors.push(error));
      if (errors.length) throw new AggregateError(errors, "stopping the reminder system failed");
    })());
  onStop(cleanUp);

  const profileDir = join(cacheDir, "logs", "bench", `reminders-${Date.now().toString(36)}`);
  if (options.profile) mkdirSync(profileDir, { recursive: true });
  try {
    const loadAtStart = loadAverage();
    for (const line of headerLines(options)) console.log(line);
    const starting = performance.now();
    system = await startBenchSystem({
      replicas: options.replicas,
      notificationEnv: options.notificationEnv,
      profile: options.profile ? { dir: profileDir } : undefined,
    });
    progress(
      `reminder system started in ${fixed(seconds(starting))} s (fresh database, own placement + scheduler)`,
    );
    sampler = startSampler(await targetsOf(system));
    // What the system costs doing nothing (timers, heartbeats, polls): the baseline every
    // per-delivery figure below includes.
    const idleFrom = performance.now();
    await Bun.sleep(IDLE_MS);
    const idle: [number, number] = [idleFrom, performance.now()];

    const runId = crypto.randomUUID().slice(0, 8);
    const creating = performance.now();
    // While creating: how far the relay and the arming keep up (a reminder armed late is late).
    const creationProgress = setInterval(async () => {
      progress(
        `creating: ${await backlog(system as BenchSystem)}, armed ${await armedCount(system as BenchSystem)}`,
      );
    }, 5000);
    const users = await createUsers(system.api, options.users, options.concurrency, runId);
    const usersSeconds = seconds(creating);
    const tasksBegan = performance.now();
    const tasks = await createTasks(system.api, users, options.reminders, options.concurrency, runId);
    const tasksSeconds = seconds(tasksBegan);
    progress(`${tasks.length} tasks for ${users.length} users in ${fixed(tasksSeconds, 2)} s`);

    // A reminder costs more than a task: its event is relayed, consumed and armed meanwhile, on
    // the same cores. Allow twice the tasks' time plus 5 s before the first is due.
    const leadSeconds = Math.max(options.leadSeconds, Math.ceil(2 * tasksSeconds + 5));
    const first = Math.ceil((Date.now() + leadSeconds * 1000) / 1000) * 1000;
    const step = options.reminders > 1 ? (options.spreadSeconds * 1000) / (options.reminders - 1) : 0;
    const instants = tasks.map((_, i) => Math.round(first + i * step));
    const remindersBegan = performance.now();
    const slack = await createReminders(system.api, tasks, instants, options.concurrency);
    const remindersSeconds = seconds(remindersBegan);
    const created = performance.now();
    clearInterval(creationProgress);
    progress(
      `${tasks.length} reminders in ${fixed(remindersSeconds, 2)} s; first due in ${fixed((first - Date.now()) / 1000)} s; ${await backlog(system)}, armed ${await armedCount(system)}`,
    );

    const lastInstant = instants.at(-1) as number;
    const background: Promise<unknown>[] = [];
    if (options.killReplicaAt !== undefined) {
      const victim = system.replicas[0];
      const at = first + options.killReplicaAt * 1000;
      background.push(
        Bun.sleep(Math.max(0, at - Date.now())).then(async () => {
          await victim?.kill();
          progress(
            `replica 1 (app + daprd) SIGKILLed ${fixed((Date.now() - first) / 1000)} s after the first instant`,
          );
        }),
      );
    }
    if (options.profile) {
      const window = Math.ceil((lastInstant - first) / 1000) + 15;
      const sidecars = [
        { name: "task-api", port: system.taskApi.profilePort },
        ...system.replicas.map((r) => ({ name: `notification-service-${r.index}`, port: r.profilePort })),
      ];
      background.push(
        Bun.sleep(Math.max(0, first - Date.now())).then(() =>
          Promise.all(
            sidecars.map(({ name, port }) =>
              port
                ? daprdCpuProfile(port, window, join(profileDir, `daprd-${name}.pprof`)).catch((error) =>
                    progress(`no profile of daprd ${name}: ${error}`),
                  )
                : undefined,
            ),
          ),
        ),
      );
    }

    const expected = tasks.map((task, i) => ({
      to: task.user.email,
      subject: `Reminder: ${task.title}`,
      at: instants[i] as number,
    }));
    const deadlineHit = await awaitDeliveries(system, expected, lastInstant + DEADLINE_AFTER_LAST_MS);
    await Bun.sleep(DUPLICATE_GRACE_MS);
    const usage = await sampler.stop();
    const outcome = tally(expected, system.mail.emails());

    for (const line of creationLines({
      users: users.length,
      usersSeconds,
      tasks: tasks.length,
      tasksSeconds,
      reminders: tasks.length,
      remindersSeconds,
      askedLeadSeconds: options.leadSeconds,
      leadSeconds,
      minSlackMs: Math.min(...slack),
    }))
      console.log(line);
    for (const line of outcomeLines(outcome, deadlineHit, DUPLICATE_GRACE_MS)) console.log(line);
    const lastDelivery = Number.isFinite(outcome.lastReceivedAt) ? outcome.lastReceivedAt : Date.now();
    const delivering: [number, number] = [onPerformanceClock(first), onPerformanceClock(lastDelivery)];
    for (const line of usageLines(
      usage,
      { idle, creating: [creating, created], delivering },
      { delivered: outcome.delivered, reminders: tasks.length },
    ))
      console.log(line);
    const cpuPerDelivery = usage
      .filter((u) => !u.outside)
      .map((u) => ({ label: u.label, ms: (u.cpuSecondsBetween(...delivering) * 1000) / outcome.delivered }))
      .filter((row) => Number.isFinite(row.ms));
    const appRss = usage
      .filter((u) => /^notification-service \d+ app$/.test(u.label))
      .map((u) => u.maxRssKib ?? 0);
    if (options.profile) {
      await Promise.all(background);
      console.log(
        `\nprofiles (daprd: go tool pprof -top <daprd> <file>; apps: bun's markdown) in ${profileDir}`,
      );
    }
    return {
      loadAtStart,
      outcome,
      deadlineHit,
      cpuPerDelivery,
      cpuPerDeliveryTotal: cpuPerDelivery.reduce((sum, row) => sum + row.ms, 0),
      notificationRssKib: appRss.length ? Math.max(...appRss) : null,
    };
  } finally {
    await cleanUp();
  }
}
