import type { DaprWorkflowClient } from "@dapr/dapr";
import { ReminderEvent, TOPICS } from "@nudge/contracts";
import { type JobsClient, publishEvents, type Sidecar, sidecarReady } from "@nudge/dapr";
import type { Sql } from "@nudge/db";
import { boundary, problemResponse, readiness, SERVE_OPTIONS } from "@nudge/http";
import type { Logger } from "@nudge/service";
import { Value } from "@sinclair/typebox/value";
import { Elysia } from "elysia";
import type { BucketSettings } from "./bucket-input.ts";
import type { BatchingConfig } from "./config.ts";
import { operatorRoutes } from "./operator/routes.ts";
import { parseBucketJobName } from "./reminders/buckets.ts";
import { deleteExpired, RETENTION_JOB, type RetentionConfig } from "./reminders/retention.ts";
import { handleReminderEvents } from "./reminders/subscription.ts";
import { bucketDue } from "./reminders/trigger.ts";

export interface AppDeps {
  sql: Sql;
  sidecar: Sidecar;
  jobs: JobsClient;
  workflows: DaprWorkflowClient;
  workflowName: string;
  batching: BatchingConfig;
  retention: RetentionConfig;
  send: { maxAttempts: number; firstRetryMs: number };
  /** The daily digest's tick (digest/tick.ts). */
  digest: { trigger: () => "started" | "queued" };
  appApiToken?: string;
  operatorToken?: string;
  log: Logger;
}

/** A bulk of events as Dapr delivers it when the subscription has bulkSubscribe enabled. */
interface BulkDelivery {
  entries: Array<{ entryId: string; event: unknown }>;
}
const isBulk = (body: unknown): body is BulkDelivery =>
  typeof body === "object" && body !== null && Array.isArray((body as BulkDelivery).entries);

type Status = "SUCCESS" | "RETRY" | "DROP";

/** The event as its publisher sent it: without the fields Dapr adds on delivery. */
function asPublished(event: ReminderEvent) {
  const { specversion, id, type, source, subject, time, datacontenttype, traceparent, data } = event;
  return {
    specversion,
    id,
    type: String(type),
    source,
    subject,
    time,
    datacontenttype,
    data,
    ...(traceparent ? { traceparent } : {}),
  };
}

/** notification-service's HTTP surface: what its sidecar delivers (events, job triggers), and ops. */
export function buildApp(deps: AppDeps) {
  const { sql, log } = deps;
  const bucketSettings: BucketSettings = {
    claimPage: deps.batching.claimPage,
    chunkSize: deps.batching.chunkSize,
    chunkSpanMs: deps.batching.chunkSpanMs,
    chunkGapMs: deps.batching.chunkGapMs,
    parallelChunks: deps.batching.parallelChunks,
    maxAttempts: deps.send.maxAttempts,
    firstRetryMs: deps.send.firstRetryMs,
  };

  /** Each entry's status: a malformed event can never succeed, so Dapr parks it on dlq-events. */
  const handle = async (entries: Array<{ entryId: string; event: unknown }>) => {
    const statuses = new Map<string, Status>();
    const valid: Array<{ entryId: string; event: ReminderEvent }> = [];
    for (const { entryId, event } of entries) {
      if (Value.Check(ReminderEvent, event)) valid.push({ entryId, event });
      else {
        log.warn("dropping a malformed reminders event", { id: (event as { id?: string })?.id });
        statuses.set(entryId, "DROP");
      }
    }
    if (valid.length) {
      const outcomes = await handleReminderEvents(
        sql,
        deps.jobs,
        deps.batching,
        valid.map((v) => v.event),
      );
      const failed = valid.filter((_, i) => outcomes[i] === "failed").map((v) => v.event);
      if (failed.length) {
        // Parked by us, as they came (audit-service records them; `./nudge dlq replay` sends
        // them back to `reminders`), so they hold back nothing else on their partitions.
        await publishEvents(
          deps.sidecar,
          TOPICS.dlq,
          failed.map((event) => ({ event: asPublished(event), partitionKey: event.data.taskId })),
        );
        log.error("reminders events kept failing; parked on dlq-events", { ids: failed.map((e) => e.id) });
      }
      valid.forEach(({ entryId }) => statuses.set(entryId, "SUCCESS"));
      log.debug("reminders events", {
        count: valid.length,
        armed: outcomes.filter((o) => o === "armed").length,
      });
    }
    return statuses;
  };

  return new Elysia({ normalize: false, serve: SERVE_OPTIONS })
    .use(
      boundary({
        log,
        public: ["/healthz", "/readyz", "/dapr/"],
        // Events and job triggers come only from our sidecar (it sends APP_API_TOKEN when set).
        sidecar: ["/events/", "/job/"],
        appApiToken: deps.appApiToken,
        // A bulk of up to 100 reminders events (each at most a few KiB).
        sidecarBodyBytes: 1024 * 1024,
        operator: ["/operator/"],
        operatorToken: deps.operatorToken,
      }),
    )
    .get("/healthz", () => ({ status: "ok" }))
    .get("/readyz", ({ set }) =>
      readiness({ database: () => sql`select 1`, dapr: () => sidecarReady(deps.sidecar) }, set),
    )
    .post(
      "/events/reminders",
      async ({ body }) => {
        if (!isBulk(body)) return { status: (await handle([{ entryId: "", event: body }])).get("") };
        try {
          const statuses = await handle(body.entries);
          return {
            statuses: body.entries.map(({ entryId }) => ({ entryId, status: statuses.get(entryId) })),
          };
        } catch (error) {
          // The bulk's transaction rolled back: every entry is redelivered (after the
          // resiliency policy's backoff), and its event ids make the repeat harmless.
          log.warn("reminders bulk failed; Dapr redelivers it", {
            entries: body.entries.length,
            error: String(error),
          });
          return { statuses: body.entries.map(({ entryId }) => ({ entryId, status: "RETRY" })) };
        }
      },
      { parse: "json" },
    )
    .post("/job/digest-tick", () => ({ outcome: deps.digest.trigger() }))
    .post(`/job/${RETENTION_JOB}`, async () => {
      const outcome = await deleteExpired(sql, deps.workflows, deps.retention);
      log.info("delivery bookkeeping retention", { ...outcome });
      return outcome;
    })
    .post(
      "/job/:name",
      async ({ params, body }) => {
        const bucket = parseBucketJobName(params.name);
        if (bucket) {
          const outcome = await bucketDue(sql, deps.workflows, deps.workflowName, bucket, bucketSettings);
          log.debug("bucket due", { job: params.name, outcome });
          return { outcome };
        }
        // A job this service does not schedule — a per-occurrence reminder job of the design
        // before buckets among them (docs/operating.md, "Upgrading"). daprd takes a 404 as
        // final: it drops the job without retrying it. Its data is logged, so nothing is lost
        // without a trace.
        log.warn("dropping a job this service does not know", { job: params.name, data: body });
        return problemResponse(
          404,
          "unknown-job",
          "Unknown job",
          `no job named ${params.name} is handled here`,
        );
      },
      { parse: "json" },
    )
    .use(operatorRoutes(sql, deps.jobs, deps.batching));
}
