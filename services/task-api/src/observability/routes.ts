import type { Sql } from "@nudge/db";
import { Elysia } from "elysia";
import type { Metrics } from "./metrics.ts";

/**
 * The Prometheus endpoint, served on its own port (METRICS_PORT), never on the public API port:
 * route names, request rates and the outbox backlog are for the scraper, not for clients. In
 * Kubernetes only the monitoring namespace may reach that port (k8s/networkpolicy-task-api.yaml).
 */
export function metricsApp(sql: Sql, metrics: Metrics) {
  return new Elysia().get("/metrics", async () => {
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
  });
}
