import { type JobsClient, type Sidecar, sidecarReady } from "@nudge/dapr";
import type { Sql } from "@nudge/db";
import {
  type AccessPolicy,
  apiDocs,
  boundary,
  PUBLIC_API_PATHS,
  readiness,
  SERVE_OPTIONS,
  type VerifyToken,
} from "@nudge/http";
import type { Logger } from "@nudge/service";
import { Elysia } from "elysia";
import type { Config } from "./config.ts";
import { deadLetterRoutes } from "./dlq/routes.ts";
import { parkDeadLetter } from "./dlq/store.ts";
import { historyRoutes } from "./history/routes.ts";
import { accept } from "./ingest/accept.ts";
import { recordSeriesEvent, recordTaskEvent } from "./ingest/record.ts";
import { internalRoutes } from "./internal/routes.ts";
import { deleteExpiredHistory, RETENTION_JOB } from "./retention/job.ts";

export interface AppDeps {
  sql: Sql;
  sidecar: Sidecar;
  jobs: JobsClient;
  verify: VerifyToken;
  retention: Config["retention"];
  appApiToken?: string;
  operatorToken?: string;
  log: Logger;
}

/** audit-service's HTTP surface: what its sidecar delivers (events, the retention job), history, ops. */
export function buildApp(deps: AppDeps) {
  const { sql, log } = deps;
  const access: AccessPolicy = {
    verify: deps.verify,
    public: [...PUBLIC_API_PATHS, "/dapr/"],
    // Events, job triggers and internal calls come only through our sidecar (APP_API_TOKEN).
    sidecar: ["/events/", "/job/", "/internal/"],
    appApiToken: deps.appApiToken,
    operator: ["/operator/"],
    operatorToken: deps.operatorToken,
  };
  return new Elysia({ normalize: false, serve: SERVE_OPTIONS })
    .use(boundary({ log, ...access }))
    .use(
      apiDocs({
        title: "Nudge history API",
        version: "1.0.0",
        description: "The append-only history of every task change, per task and as a user's activity feed.",
        access,
        exclude: [/^\/(events|job|internal|operator|dapr)(\/|$)/],
        restricted: [
          {
            prefix: "/internal",
            title: "Nudge history API, internal routes",
            description:
              "A user's missed live events, for realtime-gateway through Dapr (the sidecar's app token).",
          },
          {
            prefix: "/operator",
            title: "Nudge history API, operator routes",
            description: "The dead letters ./nudge dlq lists, replays and purges (OPERATOR_TOKEN).",
          },
        ],
      }),
    )
    .get("/healthz", () => ({ status: "ok" }), {
      detail: { summary: "The process is up", tags: ["operations"] },
    })
    .get(
      "/readyz",
      ({ set }) => readiness({ database: () => sql`select 1`, dapr: () => sidecarReady(deps.sidecar) }, set),
      { detail: { summary: "PostgreSQL and the Dapr sidecar are reachable", tags: ["operations"] } },
    )
    .post(
      "/events/task-events",
      async ({ body }) => {
        const accepted = accept(body);
        if (accepted.kind === "other") return { status: "SUCCESS" };
        if (accepted.kind === "invalid") {
          // A malformed event can never succeed: drop it, and Dapr parks it on dlq-events.
          const { id, type } = (body ?? {}) as { id?: unknown; type?: unknown };
          log.warn("dropping a malformed task-events event", { id, type });
          return { status: "DROP" };
        }
        const outcome =
          accepted.kind === "series"
            ? await recordSeriesEvent(sql, accepted.event)
            : await recordTaskEvent(sql, accepted.event);
        log.debug("task event", { id: accepted.event.id, outcome });
        return { status: "SUCCESS" };
      },
      { parse: "json" },
    )
    .post(
      "/events/dlq-events",
      async ({ body, headers }) => {
        if (typeof body !== "object" || body === null || typeof (body as { id?: unknown }).id !== "string") {
          log.warn("ignoring a dead letter that is not a CloudEvent");
          return { status: "SUCCESS" }; // never dead-letter the dead letters
        }
        await parkDeadLetter(sql, body as Record<string, unknown>, {
          originalTopic: headers.__topic,
          partitionKey: headers.__key,
        });
        log.info("dead letter parked", { id: (body as { id: string }).id, topic: headers.__topic });
        return { status: "SUCCESS" };
      },
      { parse: "json" },
    )
    .post(`/job/${RETENTION_JOB}`, async () => {
      const result = await deleteExpiredHistory(sql, deps.retention.days, deps.retention.batchSize);
      log.info("retention", result);
      return result;
    })
    .use(internalRoutes(sql))
    .use(historyRoutes(sql))
    .use(historyRoutes(sql, "/history"))
    .use(deadLetterRoutes(sql, deps.sidecar));
}

export type AuditApp = ReturnType<typeof buildApp>;
