import { openapi } from "@elysiajs/openapi";
import type { Sidecar } from "@nudge/dapr";
import type { Sql } from "@nudge/db";
import type { Logger } from "@nudge/service";
import { Elysia } from "elysia";
import type { Config } from "./config.ts";
import { digestRoutes } from "./digest/routes.ts";
import { linkMinter } from "./email/mint.ts";
import { errorPage } from "./email/pages.ts";
import { EMAIL_PAGE_PATHS, emailRoutes } from "./email/routes.ts";
import { healthRoutes } from "./health/routes.ts";
import { tokenVerifier, type VerifyToken } from "./http/auth.ts";
import { errorHandling, MAX_BODY_BYTES } from "./http/errors.ts";
import { internalRoutes } from "./internal/routes.ts";
import { notificationRoutes } from "./notifications/routes.ts";
import { Metrics } from "./observability/metrics.ts";
import { reminderRoutes } from "./reminders/routes.ts";
import { seriesRoutes } from "./series/routes.ts";
import { tagRoutes } from "./tags/routes.ts";
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
  const pages = {
    paths: EMAIL_PAGE_PATHS,
    render: ({ status, title, detail }: { status: number; title: string; detail?: string }) =>
      errorPage(status, title, detail),
  };
  return (
    // normalize: false — unknown fields are rejected, never silently dropped.
    new Elysia({ normalize: false, serve: { maxRequestBodySize: MAX_BODY_BYTES * 2 } })
      .use(errorHandling(log, pages))
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
        openapi({
          path: "/docs",
          specPath: "/openapi.json",
          documentation: {
            info: {
              title: "Nudge task API",
              version: "1.0.0",
              description:
                "Tasks, tags, reminders, notifications and preferences; every change is published as a CloudEvent.",
            },
            components: {
              securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
            },
            security: [{ bearer: [] }],
          },
          // staticFile: false — the .ics route has a dot in its path and is documented like any other.
          exclude: { paths: [/^\/internal/], staticFile: false },
        }),
      )
      .use(healthRoutes(sql, sidecar))
      .use(internalRoutes(sql, config.appApiToken, minter))
      .use(digestRoutes(sql, config.appApiToken, minter))
      .use(taskRoutes(sql, verifyToken, config.publicBaseUrl))
      .use(seriesRoutes(sql, verifyToken))
      .use(reminderRoutes(sql, verifyToken))
      .use(notificationRoutes(sql, verifyToken))
      .use(tagRoutes(sql, verifyToken))
      .use(preferenceRoutes(sql, verifyToken))
      .use(emailRoutes(sql, config.emailLinks.keys, minter, config.emailLinks.snoozeSeconds))
  );
}

export type TaskApi = ReturnType<typeof buildApp>;
