import { type CommonConfig, commonConfig, commonEnv, parseEnv } from "@nudge/service";
import { Type } from "@sinclair/typebox";
import type { Sender } from "./email/headers.ts";
import type { RetentionConfig } from "./reminders/retention.ts";

/** Its schema and pool size when the environment names none (`notification-service migrate` reads them too). */
export const DATABASE = { schema: "notification_service", poolMax: 5 };

/** Every environment variable notification-service reads. Nothing else reads process.env. */
const Env = Type.Object({
  ...commonEnv({ port: 3001, ...DATABASE }),
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
  /** Digest chunks (one contents look-up, the renders, one batch request each) in flight at once. */
  DIGEST_PARALLEL_CHUNKS: Type.Integer({ minimum: 1, maximum: 16, default: 4 }),
  /** A digest this late (the service was down) is recorded as skipped instead of sent. */
  DIGEST_MAX_LATENESS_MINUTES: Type.Integer({ minimum: 1, default: 720 }),
  /** How long a sender holds a digest chunk; a chunk whose sender died is retried after it. */
  DIGEST_SEND_LEASE_SECONDS: Type.Integer({ minimum: 1, maximum: 3600, default: 120 }),
  /** Attempts per chunk send (429, 5xx, network, task-api or sidecar down) before it fails. */
  SEND_MAX_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 20, default: 6 }),
  SEND_FIRST_RETRY_MS: Type.Integer({ minimum: 10, default: 1000 }),
  /** Width of a due bucket: occurrences due within it share one Dapr job and one workflow. */
  REMINDER_BUCKET_MS: Type.Integer({ minimum: 100, maximum: 60_000, default: 1000 }),
  /** Buckets per instant: occurrences are spread over this many jobs and workflows. */
  REMINDER_SHARDS: Type.Integer({ minimum: 1, maximum: 64, default: 2 }),
  /** A bucket's job fires this long before its first instant: claim, look-up and render ahead. */
  REMINDER_PREPARE_MS: Type.Integer({ minimum: 0, maximum: 10_000, default: 500 }),
  /** Emails per Resend batch request (Resend's limit is 100). */
  REMINDER_CHUNK_SIZE: Type.Integer({ minimum: 1, maximum: 100, default: 100 }),
  /**
   * A chunk spans at most this much of the bucket: it is sent at its last instant, so the
   * earliest of it waits up to this long. Occurrences due at the same instant never wait.
   */
  REMINDER_CHUNK_SPAN_MS: Type.Integer({ minimum: 0, maximum: 60_000, default: 500 }),
  /**
   * …and takes the next occurrence only if it is due within this long of the previous one: a
   * reminder with no close neighbour is sent alone at its instant; a dense stream shares requests.
   */
  REMINDER_CHUNK_GAP_MS: Type.Integer({ minimum: 0, maximum: 60_000, default: 50 }),
  /** Occurrences one claim takes (a bounded page; the workflow claims until the bucket is empty). */
  REMINDER_CLAIM_PAGE: Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 }),
  /** Chunks of one bucket in flight at once. */
  REMINDER_PARALLEL_CHUNKS: Type.Integer({ minimum: 1, maximum: 64, default: 8 }),
  /** This replica's name in what it records; Kubernetes sets POD_NAME (else the host name). */
  POD_NAME: Type.Optional(Type.String({ minLength: 1 })),
  HOSTNAME: Type.Optional(Type.String({ minLength: 1 })),
  /** Workflow and activity work items this replica runs at once (chunks wait for their instant). */
  WORKFLOW_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 256, default: 32 }),
  /** The Dapr Jobs schedule of the clean-up of delivery bookkeeping (cron with seconds, or @hourly/@every …). */
  DELIVERY_RETENTION_SCHEDULE: Type.String({ minLength: 1, default: "@hourly" }),
  /** Delivered or cancelled occurrences, fired buckets with their workflows, handled event ids: kept this long. */
  DELIVERY_RETENTION_DAYS: Type.Number({ minimum: 0.0001, default: 7 }),
  /** Recorded chunk requests (the rendered emails) whose deliveries are all done: kept this long. */
  SEND_RETENTION_HOURS: Type.Number({ minimum: 0.0001, default: 24 }),
  /** Rows per delete statement of the clean-up. */
  DELIVERY_RETENTION_BATCH: Type.Integer({ minimum: 1, maximum: 100_000, default: 1000 }),
});

/** How occurrences are grouped into buckets and chunks; see the variables above. */
export interface BatchingConfig {
  bucketMs: number;
  shards: number;
  prepareMs: number;
  chunkSize: number;
  chunkSpanMs: number;
  chunkGapMs: number;
  claimPage: number;
  parallelChunks: number;
}

export interface Config extends CommonConfig {
  operatorToken?: string;
  taskApiAppId: string;
  email: { apiKey: string; baseUrl?: string; sender: Sender };
  digest: {
    tickSchedule: string;
    batchSize: number;
    parallelChunks: number;
    maxLatenessMs: number;
    leaseMs: number;
  };
  send: { maxAttempts: number; firstRetryMs: number };
  batching: BatchingConfig;
  workflowConcurrency: number;
  retention: RetentionConfig;
  replicaName: string;
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
      parallelChunks: e.DIGEST_PARALLEL_CHUNKS,
      maxLatenessMs: e.DIGEST_MAX_LATENESS_MINUTES * 60_000,
      leaseMs: e.DIGEST_SEND_LEASE_SECONDS * 1000,
    },
    send: { maxAttempts: e.SEND_MAX_ATTEMPTS, firstRetryMs: e.SEND_FIRST_RETRY_MS },
    batching: {
      bucketMs: e.REMINDER_BUCKET_MS,
      shards: e.REMINDER_SHARDS,
      prepareMs: e.REMINDER_PREPARE_MS,
      chunkSize: e.REMINDER_CHUNK_SIZE,
      chunkSpanMs: e.REMINDER_CHUNK_SPAN_MS,
      chunkGapMs: e.REMINDER_CHUNK_GAP_MS,
      claimPage: e.REMINDER_CLAIM_PAGE,
      parallelChunks: e.REMINDER_PARALLEL_CHUNKS,
    },
    workflowConcurrency: e.WORKFLOW_CONCURRENCY,
    retention: {
      schedule: e.DELIVERY_RETENTION_SCHEDULE,
      days: e.DELIVERY_RETENTION_DAYS,
      sendHours: e.SEND_RETENTION_HOURS,
      batchSize: e.DELIVERY_RETENTION_BATCH,
      digestMaxLatenessMs: e.DIGEST_MAX_LATENESS_MINUTES * 60_000,
    },
    replicaName: e.POD_NAME ?? e.HOSTNAME ?? "local",
  };
}
