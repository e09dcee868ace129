import { openSync } from "node:fs";
import { type Subprocess, spawn } from "bun";
import { waitFor } from "./wait.ts";

/** A child process whose output goes to a log file, so a failing test can point at it. */
export interface Child {
  readonly name: string;
  readonly logFile: string;
  readonly process: Subprocess;
}

export function startChild(
  name: string,
  cmd: string[],
  logFile: string,
  opts: { env?: Record<string, string>; cwd?: string; append?: boolean } = {},
): Child {
  // A restart appends, so a crash test's log shows both lives of the process.
  const fd = openSync(logFile, opts.append ? "a" : "w");
  const child = spawn(cmd, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdout: fd,
    stderr: fd,
    stdin: "ignore",
  });
  return { name, logFile, process: child };
}

/** Stop a child: SIGTERM, then SIGKILL after the grace period. Resolves once it has exited. */
export async function stopChild(child: Child, graceMs = 5000): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  child.process.kill("SIGTERM");
  const timer = setTimeout(() => child.process.kill("SIGKILL"), graceMs);
  await child.process.exited;
  clearTimeout(timer);
}

export async function tailOf(logFile: string, lines = 30): Promise<string> {
  const text = await Bun.file(logFile)
    .text()
    .catch(() => "");
  return text.split("\n").slice(-lines).join("\n");
}

/** Wait until `url` answers 2xx; fails early if the child dies, quoting the end of its log. */
export async function whenHealthy(child: Child, url: string, timeoutMs = 30_000): Promise<void> {
  let problem: string | undefined;
  try {
    const outcome = await waitFor(
      `${child.name} health at ${url}`,
      async () => {
        if (child.process.exitCode !== null) return "exited";
        const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
        return response.ok && "healthy";
      },
      { timeoutMs },
    );
    if (outcome === "exited")
      problem = `${child.name} exited with code ${child.process.exitCode} during start-up`;
  } catch (error) {
    problem = (error as Error).message;
  }
  if (problem) throw new Error(`${problem}\n--- ${child.logFile} ---\n${await tailOf(child.logFile, 15)}`);
}
