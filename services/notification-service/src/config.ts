import { commonConfig, commonEnv, parseEnv } from "@nudge/service";
import { type Static, Type } from "@sinclair/typebox";
import type { Sender } from "./email/headers.ts";

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
  /** Where replies go (Resend's reply_to); unset, replies go to EMAIL_FROM. */
  EMAIL_REPLY_TO: Type.Optional(Type.String({ minLength: 3 })),
  /** The mailbox of List-Unsubscribe's mailto (the link's token in the subject); unset, HTTPS only. */
  EMAIL_UNSUBSCRIBE_MAILTO: Type.Optional(Type.String({ pattern: "^[^\\s@<>?]+@[^\\s@<>?]+$" })),
  /** How often the digest job looks for users whose digest time has come (Dapr Jobs schedule). */
  DIGEST_TICK_SCHEDULE: Type.String({ minLength: 3, default: "@every 1m" }),
  /** Digests rendered and sent per Resend batch request (Resend takes at most 100). */
  DIGEST_BATCH_SIZE: Type.Integer({ minimum: 1, maximum: 100, default: 100 }),
  /** A digest this late (the service was down) is recorded as skipped instead of sent. */
  DIGEST_MAX_LATENESS_MINUTES: Type.Integer({ minimum: 1, default: 720 }),
  /** How long a sender holds a digest chunk; a chunk whose sender died is retried after it. */
  DIGEST_SEND_LEASE_SECONDS: Type.Integer({ minimum: 1, maximum: 3600, default: 120 }),
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
  email: { apiKey: string; baseUrl?: string; sender: Sender };
  digest: { tickSchedule: string; batchSize: number; maxLatenessMs: number; leaseMs: number };
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
      sender: {
        from: e.EMAIL_FROM,
        ...(e.EMAIL_REPLY_TO ? { replyTo: e.EMAIL_REPLY_TO } : {}),
        ...(e.EMAIL_UNSUBSCRIBE_MAILTO ? { unsubscribeMailto: e.EMAIL_UNSUBSCRIBE_MAILTO } : {}),
      },
    },
    digest: {
      tickSchedule: e.DIGEST_TICK_SCHEDULE,
      batchSize: e.DIGEST_BATCH_SIZE,
      maxLatenessMs: e.DIGEST_MAX_LATENESS_MINUTES * 60_000,
      leaseMs: e.DIGEST_SEND_LEASE_SECONDS * 1000,
    },
    send: { maxAttempts: e.SEND_MAX_ATTEMPTS, firstRetryMs: e.SEND_FIRST_RETRY_MS },
  };
}
