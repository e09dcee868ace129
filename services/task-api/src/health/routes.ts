import { type Sidecar, sidecarReady } from "@nudge/dapr";
import type { Sql } from "@nudge/db";
import { readiness } from "@nudge/http";
import { Elysia } from "elysia";
import type { Metrics } from "../observability/metrics.ts";

/** Unauthenticated operational endpoints. */
export function healthRoutes(sql: Sql, sidecar: Sidecar, metrics: Metrics) {
  return new Elysia({ tags: ["operations"] })
    .get("/healthz", () => ({ status: "ok" }), { detail: { summary: "The process is up" } })
    .get(
      "/readyz",
      ({ set }) => readiness({ database: () => sql`select 1`, dapr: () => sidecarReady(sidecar) }, set),
      { detail: { summary: "PostgreSQL and the Dapr sidecar are reachable" } },
    )
    .get(
      "/metrics",
      async () => {
        const [outbox] = await sql<{ unsent: number; oldest_age: number | null }[]>`
          select count(*)::int as unsent, extract(epoch from now() - min(created_at))::float8 as oldest_age
          from outbox where sent_at is null`;
        const text = metrics.render([
          {
            name: "nudge_outbox_unsent_events",
            help: "Outbox rows not yet published.",
            value: outbox?.unsent ?? 0,
          },
          {
            name: "nudge_outbox_lag_seconds",
            help: "Age of the oldest unpublished outbox row (0 when none).",
            value: outbox?.oldest_age ?? 0,
          },
        ]);
        return new Response(text, { headers: { "content-type": "text/plain; version=0.0.4" } });
      },
      { detail: { summary: "Prometheus metrics" } },
    );
}
