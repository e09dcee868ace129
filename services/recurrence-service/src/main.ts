import { sidecarReady } from "@nudge/dapr";
import { createLogger, loadOrExit, quietWorkflowSdk, stopOnSignals } from "@nudge/service";
import { loadConfig } from "./config.ts";
import { createRecurrenceService } from "./runtime.ts";

const config = loadOrExit("recurrence-service", () => loadConfig());
const log = createLogger("recurrence-service", config.logLevel);
quietWorkflowSdk(config.logLevel);
const service = createRecurrenceService(config, log);
stopOnSignals(log, () => service.stop());

service.listen();
log.info("recurrence-service listening", { port: config.port, host: config.host });
await service.startWorker(() => sidecarReady(config.sidecar));
log.info("nextOccurrence workflow worker connected");
