import { type Subprocess, spawn } from "bun";
import { openSync } from "node:fs";
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
  opts: { env?: Record<string, string>; cwd?: string } = {},
): Child {
  const fd = openSync(logFile, "a");
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
  const text = await Bun.file(logFile).text().catch(() => "");
  return text.split("\n").slice(-lines).join("\n");
}

/** Wait until `url` answers 2xx; fails early if the child dies, quoting the end of its log. */
export async function whenHealthy(child: Child, url: string, timeoutMs = 30_000): Promise<void> {
  try {
    await waitFor(
      `${child.name} health at ${url}`,
      async () => {
        if (child.process.exitCode !== null) throw new Error(`${child.name} exited with ${child.process.exitCode}`);
        const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
        return response.ok;
      },
      { timeoutMs },
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- ${child.logFile} ---\n${await tailOf(child.logFile)}`);
  }
}
