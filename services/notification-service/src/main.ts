import { sidecarReady } from "@nudge/dapr";
import { serve } from "@nudge/service";
import { loadConfig } from "./config.ts";
import { createNotificationService } from "./runtime.ts";

const { config, log, running } = serve("notification-service", loadConfig, createNotificationService, {
  workflows: true,
});
await running.startWorker(() => sidecarReady(config.sidecar));
log.info("delivery workflow worker connected");
await running.scheduleRetention(() => sidecarReady(config.sidecar));
log.info("retention job scheduled", { ...config.retention });
