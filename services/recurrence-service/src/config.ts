import { parseEnv, serviceConfig, serviceEnv } from "@nudge/service";
import { type Static, Type } from "@sinclair/typebox";

/**
 * Every environment variable recurrence-service reads. It keeps no tables: its workflow state
 * lives in Dapr's actor state store, and tasks are task-api's.
 */
const Env = Type.Object({
  ...serviceEnv({ port: 3002 }),
  TASK_API_APP_ID: Type.String({ default: "task-api" }),
});
type Env = Static<typeof Env>;

export interface Config {
  port: number;
  host: string;
  sidecar: { httpUrl: string; grpcHost: string; grpcPort: number; apiToken?: string };
  appApiToken?: string;
  taskApiAppId: string;
  logLevel: Env["LOG_LEVEL"];
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const e = parseEnv(Env, env);
  return { ...serviceConfig(e), taskApiAppId: e.TASK_API_APP_ID };
}
