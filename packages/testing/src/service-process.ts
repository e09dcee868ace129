import { join } from "node:path";
import { repoRoot } from "./paths.ts";
import { waitFor } from "./wait.ts";

export interface ServiceProcessOptions {
  /** Flags for bun itself, before the entry (e.g. --cpu-prof for a benchmark's profile). */
  bunFlags?: string[];
  /** Where stdout goes: a file path, or nothing (the default). stderr is inherited. */
  stdoutFile?: string;
}

/**
 * A service as a real process (`bun services/<name>/src/main.ts`), so a crash test can kill it
 * at the bad moment and start it again on the same port and environment.
 */
export function serviceProcess(
  name: string,
  port: number,
  env: Record<string, string>,
  options: ServiceProcessOptions = {},
) {
  const entry = join(repoRoot, "services", name, "src", "main.ts");
  let child: ReturnType<typeof Bun.spawn> | undefined;
  return {
    /** The running process's id (a new one after each start), for benchmarks that sample /proc. */
    get pid(): number | undefined {
      return child?.pid;
    },
    /** Start it and wait until it answers /healthz. */
    async start() {
      child = Bun.spawn([process.execPath, ...(options.bunFlags ?? []), entry], {
        env: { ...process.env, ...env },
        stdout: options.stdoutFile ? Bun.file(options.stdoutFile) : "ignore",
        stderr: "inherit",
      });
      await waitFor(`${name} to listen`, () => fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok));
    },
    /** Send a signal (SIGKILL by default: a crash) and wait for the process to end. */
    async kill(signal: NodeJS.Signals = "SIGKILL") {
      child?.kill(signal);
      await child?.exited;
    },
  };
}

export type ServiceProcess = ReturnType<typeof serviceProcess>;
