import { benchFlags } from "../common/flags.ts";
import { count, stackEnv } from "../task-api/options.ts";

export interface ReminderBenchOptions {
  reminders: number;
  /** 0: every reminder at the same instant. */
  spreadSeconds: number;
  users: number;
  /** The first instant is at least this far ahead of the end of task creation. */
  leadSeconds: number;
  /** Requests in flight while creating users, tasks and reminders. */
  concurrency: number;
  /** notification-service replicas, each its own process with its own daprd. */
  replicas: number;
  /** Seconds after the first instant at which replica 1 (app and daprd) is SIGKILLed. */
  killReplicaAt: number | undefined;
  /** Environment for every notification-service replica (its knobs, KEY=VALUE). */
  notificationEnv: Record<string, string>;
  /** Go pprof of each daprd during delivery, and bun's CPU profile of each app. */
  profile: boolean;
  /** Rows of the reminder-scale table to run instead of one run ("all" for --table). */
  rows: string | undefined;
  /** Before each run, wait until the 1-minute load average is below this. */
  quietBelow: number | undefined;
  /** … for at most this many minutes, then run anyway. */
  quietMaxMinutes: number;
}

export const USAGE = `bun run bench reminders [options]

  --reminders N         reminders to create, each on its own task (default 1000)
  --spread-seconds N    their instants are spread evenly over this window (default 60; 0 puts
                        them all on the same instant)
  --users N             users (each with its own email address) owning the tasks (default 50)
  --lead-seconds N      the first instant is at least N s ahead (default 15; raised when creation
                        looks slower, so every reminder exists before it is due)
  --concurrency N       requests in flight while creating (default 16)
  --replicas N          notification-service replicas, each with its own daprd (default 1)
  --kill-replica-at S   SIGKILL replica 1 (app and daprd together, as a node failure would) S
                        seconds after the first instant; it is not restarted
  --env KEY=VALUE       environment for notification-service (repeatable), e.g. a bucket width
  --profile             Go CPU profile of every daprd over the delivery window and bun's CPU
                        profile of every app, written under the cache's logs/bench/
  --table               run every row of the reminder-scale table below, each on a fresh
                        system, and print the table filled in (waits for --quiet-below 3)
  --rows A,B            only these rows of the table (single, 1k, 10k, 10k-at-once,
                        2-replicas-kill)
  --quiet-below L       before each run, wait until the 1-minute load average is below L
  --quiet-max-minutes M wait at most M minutes for that (default 60), then run anyway

Rows of the reminder-scale table (--table runs them all):
  bun run bench reminders --reminders 1000                      # 1 000 over 60 s
  bun run bench reminders --reminders 10000                     # 10 000 over 60 s
  bun run bench reminders --reminders 10000 --spread-seconds 0  # 10 000 due at one instant
  bun run bench reminders --reminders 10000 --replicas 2 --kill-replica-at 20
  bun run bench reminders --reminders 100 --spread-seconds 297  # single reminders, 3 s apart

Needs the local stack (./nudge up --infra): DATABASE_URL, KAFKA_BROKERS and DAPR_BIN_DIR are
taken from the environment, else from ./nudge env.`;

function keyValues(pairs: string[] | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(pair);
    if (!match) throw new Error(`--env expects KEY=VALUE (got ${pair})`);
    env[match[1] as string] = match[2] as string;
  }
  return env;
}

/** The parsed flags, or null when --help asked only for the usage. */
export function parseOptions(args: string[]): ReminderBenchOptions | null {
  const values = benchFlags(args, {
    values: [
      "reminders",
      "spread-seconds",
      "users",
      "lead-seconds",
      "concurrency",
      "replicas",
      "kill-replica-at",
      "rows",
      "quiet-below",
      "quiet-max-minutes",
    ],
    switches: ["profile", "table"],
    lists: ["env"],
  });
  if (values.help) {
    console.log(USAGE);
    return null;
  }
  const spread = values["spread-seconds"];
  const replicas = count("replicas", values.replicas, 1);
  const killAt = values["kill-replica-at"];
  if (killAt !== undefined && replicas < 2) throw new Error("--kill-replica-at needs --replicas 2 or more");
  return {
    reminders: count("reminders", values.reminders, 1000),
    spreadSeconds: spread === "0" ? 0 : count("spread-seconds", spread, 60),
    users: count("users", values.users, 50),
    leadSeconds: count("lead-seconds", values["lead-seconds"], 15),
    concurrency: count("concurrency", values.concurrency, 16),
    replicas,
    killReplicaAt: killAt === undefined ? undefined : count("kill-replica-at", killAt, 20),
    notificationEnv: keyValues(values.env),
    profile: values.profile ?? false,
    rows: values.table ? "all" : values.rows,
    quietBelow:
      values["quiet-below"] !== undefined
        ? count("quiet-below", values["quiet-below"], 3)
        : values.table || values.rows
          ? 3
          : undefined,
    quietMaxMinutes: count("quiet-max-minutes", values["quiet-max-minutes"], 60),
  };
}

/**
 * The test stack reads its infrastructure from the environment (packages/testing/src/infra.ts);
 * fill in what `./nudge env` knows, and use the local stack rather than containers, since the
 * numbers are meant to describe this machine's stack.
 */
export function useLocalStack(): void {
  const known = stackEnv();
  for (const name of ["DATABASE_URL", "KAFKA_BROKERS", "DAPR_BIN_DIR"]) {
    const value = known[name];
    if (!process.env[name] && value) process.env[name] = value;
  }
  process.env.NUDGE_TEST_INFRA ??= "local";
}
