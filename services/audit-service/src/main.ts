import { sidecarReady } from "@nudge/dapr";
import { createLogger, loadOrExit, stopOnSignals } from "@nudge/service";
import { loadConfig } from "./config.ts";
import { createAuditService } from "./runtime.ts";

const config = loadOrExit("audit-service", () => loadConfig());
const log = createLogger("audit-service", config.logLevel);
const service = createAuditService(config, log);
stopOnSignals(log, () => service.stop());

service.listen();
log.info("audit-service listening", { port: config.port, host: config.host });
await service.scheduleRetention(() => sidecarReady(config.sidecar));
log.info("retention job scheduled", { schedule: config.retention.schedule, days: config.retention.days });
