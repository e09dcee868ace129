import { createLogger, loadOrExit, stopOnSignals } from "@nudge/service";
import { loadConfig } from "./config.ts";
import { createRealtimeGateway } from "./runtime.ts";

const config = loadOrExit("realtime-gateway", () => loadConfig());
const log = createLogger("realtime-gateway", config.logLevel);
const gateway = createRealtimeGateway(config, log);
stopOnSignals(log, () => gateway.stop());

gateway.listen();
log.info("realtime-gateway listening", { port: config.port, host: config.host });
