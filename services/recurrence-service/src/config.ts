import { parseEnv, type ServiceConfig, serviceConfig, serviceEnv } from "@nudge/service";
import { Type } from "@sinclair/typebox";

/**
 * Every environment variable recurrence-service reads. It keeps no tables: its workflow state
 * lives in Dapr's actor state store, and tasks are task-api's.
 */
const Env = Type.Object({
  ...serviceEnv({ port: 3002 }),
  TASK_API_APP_ID: Type.String({ default: "task-api" }),
});

export interface Config extends ServiceConfig {
  taskApiAppId: string;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const e = parseEnv(Env, env);
  return { ...serviceConfig(e), taskApiAppId: e.TASK_API_APP_ID };
}
