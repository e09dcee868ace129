import { sidecarReady } from "@nudge/dapr";
import { createLogger, loadOrExit } from "@nudge/service";
import { loadConfig } from "./config.ts";
import { createNotificationService } from "./runtime.ts";

const config = loadOrExit("notification-service", () => loadConfig());
const log = createLogger("notification-service", config.logLevel);
// @dapr/dapr 3.18's workflow worker ignores its logger option and prints ~20 INFO lines per
// delivery through console.info/debug; our own logs go straight to stdout, so only its chatter
// is silenced here (LOG_LEVEL=debug keeps it).
if (config.logLevel !== "debug") console.info = console.debug = () => {};
const service = createNotificationService(config, log);

// Registered before waiting for the sidecar: a pod stopped while its sidecar never came up
// still shuts down cleanly instead of dying on the signal.
let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info("shutting down", { signal });
  await service.stop();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));

service.listen();
log.info("notification-service listening", { port: config.port, host: config.host });
await service.startWorker(() => sidecarReady(config.sidecar));
log.info("delivery workflow worker connected");
