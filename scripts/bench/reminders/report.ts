import os from "node:os";
import { join } from "node:path";
import { daprBinDir } from "../../../packages/testing/src/paths.ts";
import { fixed, loadAverage, mib, table } from "../task-api/report.ts";
import type { ReminderBenchOptions } from "./options.ts";
import type { Outcome } from "./outcome.ts";
import type { Usage } from "./sampler.ts";

/** What the numbers were measured on, and who shares its cores. */
export function headerLines(options: ReminderBenchOptions): string[] {
  const cpu = os.cpus()[0]?.model.trim() ?? "unknown CPU";
  const cores = os.availableParallelism();
  const daprd = Bun.spawnSync([join(daprBinDir(), "daprd"), "--version"])
    .stdout.toString()
    .trim();
  return [
    `reminder delivery benchmark, ${new Date().toISOString()}`,
    `machine: nproc ${cores} (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()}`,
    `runtime: bun ${Bun.version}, daprd ${daprd || "unknown"}; load average at start: ${loadAverage()}`,
    `note: task-api, notification-service, both daprd, the Dapr scheduler and placement, PostgreSQL,` +
      ` Kafka and the load all share these ${cores} cores.`,
    `this process (pid ${process.pid}) hosts task-api (app + outbox relay), notification-service` +
      " (app + workflow worker), the Resend capture server and the load; each daprd is its own process.",
    `load: ${options.reminders} reminders, each on its own task, over ${options.users} users,` +
      ` instants evenly over ${options.spreadSeconds} s, ${options.concurrency} requests in flight.`,
  ];
}

export interface Creation {
  users: number;
  usersSeconds: number;
  tasks: number;
  tasksSeconds: number;
  reminders: number;
  remindersSeconds: number;
  askedLeadSeconds: number;
  leadSeconds: number;
  /** The least time between a reminder's creation being answered and its instant, ms. */
  minSlackMs: number;
}

const rate = (count: number, seconds: number) => `${fixed(count / seconds)}/s`;

export function creationLines(c: Creation): string[] {
  const lead =
    c.leadSeconds > c.askedLeadSeconds
      ? `${c.leadSeconds} s (asked ${c.askedLeadSeconds} s; raised because, at the rate tasks were created, the reminders might not all exist in time)`
      : `${c.leadSeconds} s`;
  const slack =
    c.minSlackMs >= 0
      ? `every reminder was created at least ${fixed(c.minSlackMs / 1000, 2)} s before its instant`
      : `NOTE: some reminders were created up to ${fixed(-c.minSlackMs / 1000, 2)} s AFTER their instant; their lateness includes that`;
  return [
    `\nCreation through the public API: ${c.users} users (PATCH /me/preferences) in ${fixed(c.usersSeconds, 2)} s;` +
      ` ${c.tasks} tasks (POST /tasks) in ${fixed(c.tasksSeconds, 2)} s, ${rate(c.tasks, c.tasksSeconds)};` +
      ` ${c.reminders} reminders (POST /tasks/{id}/reminders) in ${fixed(c.remindersSeconds, 2)} s,` +
      ` ${rate(c.reminders, c.remindersSeconds)}.`,
    `lead: the first instant was ${lead} after reminder creation began; ${slack}.`,
  ];
}

export function outcomeLines(outcome: Outcome, deadlineHit: boolean, graceMs: number): string[] {
  const ms = (value: number) => fixed(value, 0);
  return [
    `\nDelivery (emails captured until all had arrived${deadlineHit ? " — DEADLINE (last instant + 120 s) HIT" : ""},` +
      ` then ${graceMs / 1000} s more for late duplicates):`,
    `delivered ${outcome.delivered} / ${outcome.expected} · duplicates ${outcome.duplicates} ·` +
      ` misses ${outcome.missing} · early ${outcome.early} · stray ${outcome.stray}`,
    `lateness (receivedAt − instant): p50 ${ms(outcome.latenessMs.p50)} ms · p99 ${ms(outcome.latenessMs.p99)} ms ·` +
      ` max ${ms(outcome.latenessMs.max)} ms (min ${ms(outcome.latenessMs.min)} ms)`,
  ];
}

/**
 * One row per sampled process. The phases: creating = users, tasks and reminders being created;
 * delivering = from the first instant to the last first email.
 */
export function usageLines(
  usage: Usage[],
  phases: Record<"creating" | "delivering", [number, number]>,
): string[] {
  const pct = (value: number) => (Number.isFinite(value) ? `${fixed(value)} %` : "n/a");
  const lasted = ([from, to]: [number, number]) => `${fixed((to - from) / 1000)} s`;
  return [
    "\nCPU (% of one core, from utime+stime in /proc/<pid>/stat, sampled every second) and memory" +
      ` (VmRSS sampled; VmHWM the kernel's high-water mark). Creating lasted ${lasted(phases.creating)},` +
      ` delivering ${lasted(phases.delivering)}; a phase shorter than a few samples is measured coarsely.`,
    table(
      ["process", "pid", "avg run", "avg creating", "avg delivering", "peak 1 s", "max RSS", "VmHWM"],
      usage.map((u) => [
        u.label,
        u.pid === null ? "-" : String(u.pid),
        pct(u.averageCpu),
        pct(u.averageBetween(...phases.creating)),
        pct(u.averageBetween(...phases.delivering)),
        pct(u.peakCpu),
        u.pid === null ? "-" : mib(u.maxRssKib),
        u.pid === null ? "-" : mib(u.peakRssKib),
      ]),
    ),
    `load average at end: ${loadAverage()}`,
  ];
}
