import { sidecarReady } from "@nudge/dapr";
import { createLogger, loadOrExit, quietWorkflowSdk, stopOnSignals } from "@nudge/service";
import { loadConfig } from "./config.ts";
import { createNotificationService } from "./runtime.ts";

const config = loadOrExit("notification-service", () => loadConfig());
const log = createLogger("notification-service", config.logLevel);
quietWorkflowSdk(config.logLevel);
const service = createNotificationService(config, log);
stopOnSignals(log, () => service.stop());

service.listen();
log.info("notification-service listening", { port: config.port, host: config.host });
await service.startWorker(() => sidecarReady(config.sidecar));
log.info("delivery workflow worker connected");
await service.scheduleRetention(() => sidecarReady(config.sidecar));
log.info("retention job scheduled", { ...config.retention });
