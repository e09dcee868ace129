import { serve } from "@nudge/service";
import { loadConfig } from "./config.ts";
import { createRealtimeGateway } from "./runtime.ts";

serve("realtime-gateway", loadConfig, createRealtimeGateway);
