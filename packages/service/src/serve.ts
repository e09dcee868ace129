import { loadOrExit } from "./env.ts";
import { quietWorkflowSdk, stopOnSignals } from "./lifecycle.ts";
import { createLogger, type Level, type Logger } from "./log.ts";

/** What a service's runtime.ts builds: something that listens and stops. */
export interface Runnable {
  listen(): void;
  stop(): Promise<void>;
}

interface ServedConfig {
  port: number;
  host: string;
  logLevel: Level;
}

/**
 * A service's main.ts: parse its config once (exit 2 naming a bad variable), build it from the
 * config, stop it on SIGTERM/SIGINT (registered before any wait), listen. What follows, such as a
 * workflow worker or a job waiting for the sidecar, is the service's own.
 */
export function serve<C extends ServedConfig, S extends Runnable>(
  service: string,
  load: () => C,
  create: (config: C, log: Logger) => S,
  options: { workflows?: boolean } = {},
): { config: C; log: Logger; running: S } {
  const config = loadOrExit(service, load);
  const log = createLogger(service, config.logLevel);
  if (options.workflows) quietWorkflowSdk(config.logLevel);
  const running = create(config, log);
  stopOnSignals(log, () => running.stop());
  running.listen();
  log.info(`${service} listening`, { port: config.port, host: config.host });
  return { config, log, running };
}
