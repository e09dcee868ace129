import type { Level, Logger } from "./log.ts";

/**
 * On SIGTERM or SIGINT: `stop` once, then exit 0. Register it before any wait (for a sidecar,
 * say), so a pod stopped while it waits still shuts down cleanly instead of dying on the signal.
 */
export function stopOnSignals(log: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("shutting down", { signal });
    await stop();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

/**
 * @dapr/dapr 3.18's workflow worker and client ignore their logger option and print ~20 INFO
 * lines per workflow through console.info/debug. Nudge's own logs go straight to stdout, so
 * only that chatter goes quiet (LOG_LEVEL=debug keeps it).
 */
export function quietWorkflowSdk(level: Level): void {
  if (level !== "debug") console.info = console.debug = () => {};
}
