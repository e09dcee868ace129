import { sidecarReady } from "@nudge/dapr";
import { createLogger, loadOrExit } from "@nudge/service";
import { loadConfig } from "./config.ts";
import { createAuditService } from "./runtime.ts";

const config = loadOrExit("audit-service", () => loadConfig());
const log = createLogger("audit-service", config.logLevel);
const service = createAuditService(config, log);

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
log.info("audit-service listening", { port: config.port, host: config.host });
await service.scheduleRetention(() => sidecarReady(config.sidecar));
log.info("retention job scheduled", { schedule: config.retention.schedule, days: config.retention.days });
