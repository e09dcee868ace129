import { join } from "node:path";
import { repoRoot } from "./paths.ts";
import { waitFor } from "./wait.ts";

/**
 * A service as a real process (`bun services/<name>/src/main.ts`), so a crash test can kill it
 * at the bad moment and start it again on the same port and environment.
 */
export function serviceProcess(name: string, port: number, env: Record<string, string>) {
  const entry = join(repoRoot, "services", name, "src", "main.ts");
  let child: ReturnType<typeof Bun.spawn> | undefined;
  return {
    /** Start it and wait until it answers /healthz. */
    async start() {
      child = Bun.spawn([process.execPath, entry], {
        env: { ...process.env, ...env },
        stdout: "ignore",
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
