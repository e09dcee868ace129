import { parseArgs } from "node:util";
import { count, stackEnv } from "../task-api/options.ts";

export interface ReminderBenchOptions {
  reminders: number;
  spreadSeconds: number;
  users: number;
  /** The first instant is at least this far ahead of the end of task creation. */
  leadSeconds: number;
  /** Requests in flight while creating users, tasks and reminders. */
  concurrency: number;
}

export const USAGE = `bun run bench reminders [options]

  --reminders N        reminders to create, each on its own task (default 1000)
  --spread-seconds N   their instants are spread evenly over this window (default 60)
  --users N            users (each with its own email address) owning the tasks (default 50)
  --lead-seconds N     the first instant is at least N s ahead (default 15; raised when creation
                       looks slower, so every reminder exists before it is due)
  --concurrency N      requests in flight while creating (default 16)

Needs the local stack (./nudge up --infra): DATABASE_URL, KAFKA_BROKERS and DAPR_BIN_DIR are
taken from the environment, else from ./nudge env.`;

/** The parsed flags, or null when --help asked only for the usage. */
export function parseOptions(args: string[]): ReminderBenchOptions | null {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      reminders: { type: "string" },
      "spread-seconds": { type: "string" },
      users: { type: "string" },
      "lead-seconds": { type: "string" },
      concurrency: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return null;
  }
  return {
    reminders: count("reminders", values.reminders, 1000),
    spreadSeconds: count("spread-seconds", values["spread-seconds"], 60),
    users: count("users", values.users, 50),
    leadSeconds: count("lead-seconds", values["lead-seconds"], 15),
    concurrency: count("concurrency", values.concurrency, 16),
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
