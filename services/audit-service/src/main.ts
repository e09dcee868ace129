import { sidecarReady } from "@nudge/dapr";
import { serve } from "@nudge/service";
import { loadConfig } from "./config.ts";
import { createAuditService } from "./runtime.ts";

const { config, log, running } = serve("audit-service", loadConfig, createAuditService);
await running.scheduleRetention(() => sidecarReady(config.sidecar));
log.info("retention job scheduled", { schedule: config.retention.schedule, days: config.retention.days });
