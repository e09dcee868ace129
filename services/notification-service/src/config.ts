import { commonConfig, commonEnv, parseEnv } from "@nudge/service";
import { type Static, Type } from "@sinclair/typebox";

/** Every environment variable notification-service reads. Nothing else reads process.env. */
const Env = Type.Object({
  ...commonEnv({ port: 3001, schema: "notification_service", poolMax: 5 }),
  /** Bearer token for the operator endpoints; without it they refuse everything. */
  OPERATOR_TOKEN: Type.Optional(Type.String({ minLength: 16 })),
  TASK_API_APP_ID: Type.String({ default: "task-api" }),
  RESEND_API_KEY: Type.String({ minLength: 1 }),
  /** Honoured by the resend SDK; points it at the local capture server in development. */
  RESEND_BASE_URL: Type.Optional(Type.String({ pattern: "^https?://" })),
  EMAIL_FROM: Type.String({ minLength: 3, default: "Nudge <reminders@nudge.local>" }),
  /** Links in emails: <LINK_BASE_URL>/tasks/<id> and <LINK_BASE_URL>/settings. */
  LINK_BASE_URL: Type.String({ pattern: "^https?://", default: "http://127.0.0.1:3000" }),
  SEND_MAX_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 20, default: 6 }),
  SEND_FIRST_RETRY_MS: Type.Integer({ minimum: 10, default: 1000 }),
});
type Env = Static<typeof Env>;

export interface Config {
  port: number;
  host: string;
  database: { url: string; schema: string; poolMax: number };
  sidecar: { httpUrl: string; grpcHost: string; grpcPort: number; apiToken?: string };
  appApiToken?: string;
  operatorToken?: string;
  taskApiAppId: string;
  email: { apiKey: string; baseUrl?: string; from: string; linkBaseUrl: string };
  send: { maxAttempts: number; firstRetryMs: number };
  logLevel: Env["LOG_LEVEL"];
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const e = parseEnv(Env, env);
  return {
    ...commonConfig(e),
    operatorToken: e.OPERATOR_TOKEN,
    taskApiAppId: e.TASK_API_APP_ID,
    email: {
      apiKey: e.RESEND_API_KEY,
      baseUrl: e.RESEND_BASE_URL,
      from: e.EMAIL_FROM,
      linkBaseUrl: e.LINK_BASE_URL,
    },
    send: { maxAttempts: e.SEND_MAX_ATTEMPTS, firstRetryMs: e.SEND_FIRST_RETRY_MS },
  };
}
