import type { DaprWorkflowClient } from "@dapr/dapr";
import { TaskEvent } from "@nudge/contracts";
import { type Sidecar, sidecarReady } from "@nudge/dapr";
import { boundary, readiness, SERVE_OPTIONS } from "@nudge/http";
import type { Logger } from "@nudge/service";
import { Value } from "@sinclair/typebox/value";
import { Elysia } from "elysia";
import { onTaskCompleted } from "./events/task-completed.ts";

export interface AppDeps {
  sidecar: Sidecar;
  workflows: DaprWorkflowClient;
  workflowName: string;
  appApiToken?: string;
  log: Logger;
}

/** recurrence-service's HTTP surface: health, and the `task-events` its sidecar delivers. */
export function buildApp(deps: AppDeps) {
  const { log } = deps;
  return new Elysia({ normalize: false, serve: SERVE_OPTIONS })
    .use(
      boundary({
        log,
        public: ["/healthz", "/readyz", "/dapr/"],
        sidecar: ["/events/"],
        appApiToken: deps.appApiToken,
      }),
    )
    .get("/healthz", () => ({ status: "ok" }))
    .get("/readyz", ({ set }) => readiness({ dapr: () => sidecarReady(deps.sidecar) }, set))
    .post(
      "/events/task-events",
      async ({ body }) => {
        // Most events on the topic are not completions: acknowledge them before any real work.
        if ((body as { type?: unknown })?.type !== "task.completed") return { status: "SUCCESS" };
        if (!Value.Check(TaskEvent, body)) {
          // A malformed event can never succeed: drop it, and Dapr parks it on dlq-events.
          log.warn("dropping a malformed task.completed event", { id: (body as { id?: string })?.id });
          return { status: "DROP" };
        }
        const reaction = await onTaskCompleted(deps.workflows, deps.workflowName, body);
        if (reaction !== "not-recurring") log.info("task completed", { taskId: body.subject, reaction });
        return { status: "SUCCESS" };
      },
      { parse: "json" },
    );
}
