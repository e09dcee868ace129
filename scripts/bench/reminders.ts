/**
 * `bun run bench reminders`: how late, and how reliably, reminder emails arrive when many fall
 * due close together, on the real path the tests start (task-api + outbox → Kafka →
 * notification-service → Dapr Jobs → reminderDelivery workflow → Resend capture server), and what
 * that costs in CPU and memory. Prints numbers, no verdicts.
 */
import { stopTestStack } from "../../packages/testing/src/index.ts";
import { type ReminderSystem, startReminderSystem } from "../../tests/notification-service/fixture.ts";
import { createReminders, createTasks, createUsers } from "./reminders/load.ts";
import { parseOptions, useLocalStack } from "./reminders/options.ts";
import { deliveredCount, type ExpectedEmail, tally } from "./reminders/outcome.ts";
import { creationLines, headerLines, outcomeLines, usageLines } from "./reminders/report.ts";
import { childrenNamed, type Sampler, startSampler } from "./reminders/sampler.ts";
import { divertInfoLogs } from "./reminders/sdk-log.ts";
import { fixed } from "./task-api/report.ts";

/** Emails may still arrive after the last reminder's first one: duplicates are counted this long after. */
const DUPLICATE_GRACE_MS = 5000;
/** The last reminder's email is awaited until this long after its instant. */
const DEADLINE_AFTER_LAST_MS = 120_000;

const progress = (line: string) => console.error(`  … ${line}`);
const seconds = (since: number) => (performance.now() - since) / 1000;
/** An epoch-ms instant on the performance.now() clock the sampler uses. */
const onPerformanceClock = (epochMs: number) => epochMs - performance.timeOrigin;

function pidOf(sidecar: { appId: string; pid: number | undefined }): number {
  if (sidecar.pid === undefined) throw new Error(`daprd ${sidecar.appId} has no process`);
  return sidecar.pid;
}

/** Wait until every expected email has arrived or the deadline passes; true when it passed. */
async function awaitDeliveries(system: ReminderSystem, expected: ExpectedEmail[], deadline: number) {
  let lastReport = 0;
  for (;;) {
    const delivered = deliveredCount(expected, system.mail.emails());
    if (delivered === expected.length) return false;
    if (Date.now() > deadline) return true;
    if (Date.now() - lastReport >= 5000) {
      progress(`delivered ${delivered} / ${expected.length}`);
      lastReport = Date.now();
    }
    await Bun.sleep(100);
  }
}

export async function run(args: string[]): Promise<void> {
  const options = parseOptions(args);
  if (!options) return;
  useLocalStack();
  let system: ReminderSystem | undefined;
  let sampler: Sampler | undefined;
  let sdkLog: ReturnType<typeof divertInfoLogs> | undefined;
  // One clean-up, however many paths (the finally, Ctrl-C) ask for it, each awaiting it to the end.
  let cleaning: Promise<void> | undefined;
  const cleanUp = () =>
    (cleaning ??= (async () => {
      await sampler?.stop();
      const errors: unknown[] = [];
      await system?.stop().catch((error) => errors.push(error));
      await stopTestStack().catch((error) => errors.push(error));
      await sdkLog?.restore();
      if (errors.length) throw new AggregateError(errors, "stopping the reminder system failed");
    })());
  // Ctrl-C must not leave sidecars, the control plane or the database behind.
  const interrupted = (signal: string) => {
    if (cleaning) return;
    console.error(`bench: ${signal}, stopping the reminder system and the test stack`);
    cleanUp().then(
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

  try {
    for (const line of headerLines(options)) console.log(line);
    sdkLog = divertInfoLogs();
    console.log(`the workflow SDK's INFO lines (one per work item) go to ${sdkLog.path}`);
    const starting = performance.now();
    system = await startReminderSystem();
    progress(
      `reminder system started in ${fixed(seconds(starting))} s (fresh database, own placement + scheduler)`,
    );

    const schedulers = await childrenNamed(process.pid, "scheduler");
    sampler = startSampler([
      { label: "bench process (task-api + notification-service + load)", pid: process.pid },
      { label: "daprd notification-service", pid: pidOf(system.sidecar) },
      { label: "daprd task-api", pid: pidOf(system.api.sidecar) },
      ...schedulers.map((pid) => ({ label: "dapr scheduler", pid })),
      { label: "whole machine (all cores)", pid: null },
    ]);

    const runId = crypto.randomUUID().slice(0, 8);
    const creating = performance.now();
    const users = await createUsers(system.api, options.users, options.concurrency, runId);
    const usersSeconds = seconds(creating);
    const tasksBegan = performance.now();
    const tasks = await createTasks(system.api, users, options.reminders, options.concurrency, runId);
    const tasksSeconds = seconds(tasksBegan);
    progress(`${tasks.length} tasks for ${users.length} users in ${fixed(tasksSeconds, 2)} s`);

    // A reminder costs more than a task: its event is relayed, consumed and armed as a Dapr job
    // meanwhile, on the same cores. Allow twice the tasks' time plus 5 s before the first is due.
    const leadSeconds = Math.max(options.leadSeconds, Math.ceil(2 * tasksSeconds + 5));
    const first = Math.ceil((Date.now() + leadSeconds * 1000) / 1000) * 1000;
    const step = options.reminders > 1 ? (options.spreadSeconds * 1000) / (options.reminders - 1) : 0;
    const instants = tasks.map((_, i) => Math.round(first + i * step));
    const remindersBegan = performance.now();
    const slack = await createReminders(system.api, tasks, instants, options.concurrency);
    const remindersSeconds = seconds(remindersBegan);
    const created = performance.now();
    progress(
      `${tasks.length} reminders in ${fixed(remindersSeconds, 2)} s; first due in ${fixed((first - Date.now()) / 1000)} s`,
    );

    const expected = tasks.map((task, i) => ({
      to: task.user.email,
      subject: `Reminder: ${task.title}`,
      at: instants[i] as number,
    }));
    const lastInstant = instants.at(-1) as number;
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
    for (const line of usageLines(usage, {
      creating: [creating, created],
      delivering: [onPerformanceClock(first), onPerformanceClock(lastDelivery)],
    }))
      console.log(line);
  } finally {
    await cleanUp();
  }
}
