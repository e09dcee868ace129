import type { Sidecar } from "@nudge/dapr";
import type { Sql } from "@nudge/db";
import {
  type AccessPolicy,
  apiDocs,
  boundary,
  PUBLIC_API_PATHS,
  SERVE_OPTIONS,
  tokenVerifier,
  type VerifyToken,
} from "@nudge/http";
import type { Logger } from "@nudge/service";
import { Elysia } from "elysia";
import type { Config } from "./config.ts";
import { digestRoutes } from "./digest/routes.ts";
import { errorPage } from "./email/pages.ts";
import { EMAIL_PAGE_PATHS, emailRoutes } from "./email/routes.ts";
import { healthRoutes } from "./health/routes.ts";
import { internalRoutes } from "./internal/routes.ts";
import { linkMinter } from "./links/mint.ts";
import { notificationRoutes } from "./notifications/routes.ts";
import { Metrics } from "./observability/metrics.ts";
import { outboxOperatorRoutes } from "./outbox/routes.ts";
import { seriesRoutes } from "./series/routes.ts";
import { tagRoutes } from "./tags/routes.ts";
import { reminderRoutes } from "./tasks/reminders/routes.ts";
import { taskRoutes } from "./tasks/routes.ts";
import { preferenceRoutes } from "./users/routes.ts";

export interface AppDeps {
  sql: Sql;
  config: Config;
  sidecar: Sidecar;
  log: Logger;
  metrics?: Metrics;
  verify?: VerifyToken;
}

/** The task-api HTTP app; tests build it the same way main.ts does. */
export function buildApp({ sql, config, sidecar, log, metrics = new Metrics(), verify }: AppDeps) {
  const verifyToken = verify ?? tokenVerifier(config.jwt);
  const started = new WeakMap<Request, number>();
  const minter = linkMinter({ baseUrl: config.publicBaseUrl, ...config.emailLinks });
  const access: AccessPolicy = {
    verify: verifyToken,
    public: [...PUBLIC_API_PATHS, ...EMAIL_PAGE_PATHS],
    sidecar: ["/internal/"],
    operator: ["/operator/"],
    operatorToken: config.operatorToken,
    appApiToken: config.appApiToken,
    requireAppToken: true,
  };
  // The pages email links lead to: form bodies, and errors as HTML pages (never JSON).
  const pages = { paths: EMAIL_PAGE_PATHS, render: errorPage };
  return (
    // normalize: false — unknown fields are rejected, never silently dropped.
    new Elysia({ normalize: false, serve: SERVE_OPTIONS })
      .use(boundary({ log, ...access, pages }))
      .onRequest(({ request }) => {
        started.set(request, performance.now());
      })
      .onAfterResponse({ as: "global" }, (ctx) => {
        const began = started.get(ctx.request);
        // Handlers often return a Response (ETag, Location): its status is the one sent.
        const sent = (ctx as { responseValue?: unknown }).responseValue;
        const status = String(sent instanceof Response ? sent.status : (ctx.set.status ?? 200));
        const labels = { method: ctx.request.method, route: ctx.route || "unmatched" };
        metrics.inc("nudge_http_requests_total", "HTTP requests by route and status.", { ...labels, status });
        if (began !== undefined) {
          const seconds = (performance.now() - began) / 1000;
          metrics.observe("nudge_http_request_duration_seconds", "HTTP request latency.", labels, seconds);
        }
      })
      .use(
        apiDocs({
          title: "Nudge task API",
          version: "1.0.0",
          description:
            "Tasks, tags, reminders, notifications and preferences; every change is published as a CloudEvent.",
          access,
          pages: EMAIL_PAGE_PATHS,
          exclude: [/^\/internal/, /^\/operator/],
          restricted: [
            {
              prefix: "/internal",
              title: "Nudge task API, internal routes",
              description: "What other services invoke through Dapr (the sidecar's app token).",
            },
            {
              prefix: "/operator",
              title: "Nudge task API, operator routes",
              description: "The parked outbox rows ./nudge outbox lists and replays (OPERATOR_TOKEN).",
            },
          ],
        }),
      )
      .use(healthRoutes(sql, sidecar))
      .use(internalRoutes(sql, minter))
      .use(digestRoutes(sql, minter))
      .use(outboxOperatorRoutes(sql))
      .use(taskRoutes(sql, config.publicBaseUrl))
      .use(seriesRoutes(sql))
      .use(reminderRoutes(sql))
      .use(notificationRoutes(sql))
      .use(tagRoutes(sql))
      .use(preferenceRoutes(sql))
      .use(emailRoutes(sql, config.emailLinks.keys, minter, config.emailLinks.snoozeSeconds))
  );
}

export type TaskApi = ReturnType<typeof buildApp>;
