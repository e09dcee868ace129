import type { DaprWorkflowClient } from "@dapr/dapr";
import { ReminderEvent } from "@nudge/contracts";
import { type JobsClient, type Sidecar, sidecarReady } from "@nudge/dapr";
import type { Sql } from "@nudge/db";
import { boundary, readiness, SERVE_OPTIONS } from "@nudge/http";
import type { Logger } from "@nudge/service";
import { Value } from "@sinclair/typebox/value";
import { Elysia } from "elysia";
import { operatorRoutes } from "./operator/routes.ts";
import type { ReminderJob } from "./reminders/jobs.ts";
import { handleReminderEvent } from "./reminders/subscription.ts";
import { startDelivery } from "./reminders/trigger.ts";

export interface AppDeps {
  sql: Sql;
  sidecar: Sidecar;
  jobs: JobsClient;
  workflows: DaprWorkflowClient;
  workflowName: string;
  /** The daily digest's tick (digest/tick.ts). */
  digest: { trigger: () => "started" | "queued" };
  appApiToken?: string;
  operatorToken?: string;
  log: Logger;
}

/** notification-service's HTTP surface: what its sidecar delivers (events, job triggers), and ops. */
export function buildApp(deps: AppDeps) {
  const { sql, log } = deps;
  return new Elysia({ normalize: false, serve: SERVE_OPTIONS })
    .use(
      boundary({
        log,
        public: ["/healthz", "/readyz", "/dapr/"],
        // Events and job triggers come only from our sidecar (it sends APP_API_TOKEN when set).
        sidecar: ["/events/", "/job/"],
        appApiToken: deps.appApiToken,
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
        if (!Value.Check(ReminderEvent, body)) {
          // A malformed event can never succeed: drop it, and Dapr parks it on dlq-events.
          log.warn("dropping a malformed reminders event", { id: (body as { id?: string })?.id });
          return { status: "DROP" };
        }
        const outcome = await handleReminderEvent(sql, deps.jobs, body, log);
        log.debug("reminders event", { id: body.id, type: body.type, outcome });
        return { status: "SUCCESS" };
      },
      { parse: "json" },
    )
    .post("/job/digest-tick", () => ({ outcome: deps.digest.trigger() }), { parse: "none" })
    .post(
      "/job/:name",
      async ({ params, body }) => {
        const outcome = await startDelivery(
          deps.workflows,
          deps.workflowName,
          params.name,
          body as ReminderJob,
        );
        log.info("reminder due", { job: params.name, outcome });
        return { outcome };
      },
      { parse: "json" },
    )
    .use(operatorRoutes(sql, deps.workflows, deps.workflowName));
}
