import { sidecarReady } from "@nudge/dapr";
import { serve } from "@nudge/service";
import { loadConfig } from "./config.ts";
import { createRecurrenceService } from "./runtime.ts";

const { config, log, running } = serve("recurrence-service", loadConfig, createRecurrenceService, {
  workflows: true,
});
await running.startWorker(() => sidecarReady(config.sidecar));
log.info("nextOccurrence workflow worker connected");
