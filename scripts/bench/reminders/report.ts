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
  const knobs = Object.entries(options.notificationEnv).map(([k, v]) => `${k}=${v}`);
  const instants =
    options.spreadSeconds === 0 ? "all at one instant" : `instants evenly over ${options.spreadSeconds} s`;
  return [
    `reminder delivery benchmark, ${new Date().toISOString()}`,
    `machine: nproc ${cores} (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()}`,
    `runtime: bun ${Bun.version}, daprd ${daprd || "unknown"}; load average at start: ${loadAverage()}`,
    `note: task-api, notification-service, their daprd, the Dapr scheduler and placement, PostgreSQL,` +
      ` Kafka and the load all share these ${cores} cores.`,
    `processes: task-api and each notification-service replica run as their own bun process with their own` +
      ` daprd; this process (pid ${process.pid}) creates the load and hosts the Resend stand-in.`,
    `load: ${options.reminders} reminders, each on its own task, over ${options.users} users, ${instants},` +
      ` ${options.concurrency} requests in flight; ${options.replicas} notification-service replica(s)` +
      (options.killReplicaAt !== undefined
        ? `, replica 1 SIGKILLed (app + daprd) ${options.killReplicaAt} s after the first instant`
        : "") +
      (knobs.length ? `; notification-service env ${knobs.join(" ")}` : ""),
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
 * One row per sampled process. The phases: creating = users, tasks and reminders being created
 * (and armed); delivering = from the first instant to the last first email. CPU per delivery is
 * each process's CPU time within the delivering phase divided by the emails delivered; the
 * total counts the system's processes, not the load generator, the Resend stand-in or the
 * machine as a whole.
 */
export function usageLines(
  usage: Usage[],
  phases: Record<"idle" | "creating" | "delivering", [number, number]>,
  counts: { delivered: number; reminders: number },
): string[] {
  const pct = (value: number) => (Number.isFinite(value) ? `${fixed(value)} %` : "n/a");
  const ms = (seconds: number, per: number) =>
    Number.isFinite(seconds) && per > 0 ? `${fixed((seconds * 1000) / per, 2)} ms` : "n/a";
  const lasted = ([from, to]: [number, number]) => `${fixed((to - from) / 1000)} s`;
  const delivering = (u: Usage) => u.cpuSecondsBetween(...phases.delivering);
  const seconds = ([from, to]: [number, number]) => (to - from) / 1000;
  // CPU seconds in the delivering phase beyond what the process burns idle over the same time.
  const overIdle = (u: Usage) =>
    delivering(u) - (u.averageBetween(...phases.idle) / 100) * seconds(phases.delivering);
  const creating = (u: Usage) => u.cpuSecondsBetween(...phases.creating);
  const system = usage.filter((u) => !u.outside);
  const sum = (f: (u: Usage) => number) =>
    system.map(f).reduce((total, value) => total + (Number.isFinite(value) ? value : 0), 0);
  return [
    "\nCPU (% of one core, from utime+stime in /proc, sampled every second) and memory (VmRSS sampled;" +
      " VmHWM the kernel's high-water mark; PostgreSQL: the sum of its processes' Pss)." +
      ` Idle (sampled first) lasted ${lasted(phases.idle)}, creating ${lasted(phases.creating)},` +
      ` delivering ${lasted(phases.delivering)}; "… over idle" leaves out what the process uses idle;` +
      " a phase shorter than a few samples is measured coarsely.",
    table(
      [
        "process",
        "pid",
        "idle",
        "avg creating",
        "avg delivering",
        "peak 1 s",
        "CPU/reminder armed",
        "CPU/delivery",
        "… over idle",
        "max RSS",
        "VmHWM",
      ],
      [
        ...usage.map((u) => [
          u.outside ? `(${u.label})` : u.label,
          u.pid === null ? "-" : String(u.pid),
          pct(u.averageBetween(...phases.idle)),
          pct(u.averageBetween(...phases.creating)),
          pct(u.averageBetween(...phases.delivering)),
          pct(u.peakCpu),
          ms(creating(u), counts.reminders),
          ms(delivering(u), counts.delivered),
          ms(overIdle(u), counts.delivered),
          u.pid === null ? "-" : mib(u.maxRssKib),
          u.pid === null ? "-" : mib(u.peakRssKib),
        ]),
        [
          "system total (rows not in parentheses)",
          "-",
          "-",
          "-",
          "-",
          "-",
          ms(sum(creating), counts.reminders),
          ms(sum(delivering), counts.delivered),
          ms(sum(overIdle), counts.delivered),
          "-",
          "-",
        ],
      ],
    ),
    `load average at end: ${loadAverage()}`,
  ];
}
