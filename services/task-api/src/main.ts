import { serve } from "@nudge/service";
import { loadConfig } from "./config.ts";
import { createTaskApi } from "./runtime.ts";

const { running } = serve("task-api", loadConfig, createTaskApi);
running.start();
