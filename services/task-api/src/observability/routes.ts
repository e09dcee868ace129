import type { Sql } from "@nudge/db";
import { Elysia } from "elysia";
import type { Metrics } from "./metrics.ts";

/** What /metrics reports about the outbox, sampled at scrape time. */
async function outboxGauges(sql: Sql) {
  const [row] = await sql<{ pending: number; oldest_age: number | null; retrying: number; parked: number }[]>`
    select count(*) filter (where parked_at is null)::int as pending,
      extract(epoch from now() - min(created_at) filter (where parked_at is null))::float8 as oldest_age,
      count(*) filter (where parked_at is null and attempts > 0)::int as retrying,
      count(*) filter (where parked_at is not null)::int as parked
    from outbox where sent_at is null`;
  return {
    pending: row?.pending ?? 0,
    lagSeconds: row?.oldest_age ?? 0,
    retrying: row?.retrying ?? 0,
    parked: row?.parked ?? 0,
  };
}

/**
 * The Prometheus endpoint, served on its own port (METRICS_PORT), never on the public API port:
 * route names, request rates and the outbox backlog are for the scraper, not for clients. In
 * Kubernetes only the monitoring namespace may reach that port (k8s/networkpolicy-task-api.yaml).
 */
export function metricsApp(sql: Sql, metrics: Metrics) {
  return new Elysia().get("/metrics", async () => {
    const outbox = await outboxGauges(sql);
    const text = metrics.render([
      {
        name: "nudge_outbox_unsent_events",
        help: "Outbox rows waiting to be published (parked ones not counted).",
        value: outbox.pending,
      },
      {
        name: "nudge_outbox_lag_seconds",
        help: "Age of the oldest row waiting to be published (0 when none; parked ones not counted).",
        value: outbox.lagSeconds,
      },
      {
        name: "nudge_outbox_retrying_events",
        help: "Rows that failed on their own and wait for another attempt.",
        value: outbox.retrying,
      },
      {
        name: "nudge_outbox_parked_events",
        help: "Rows parked because they cannot be published; ./nudge outbox list shows them.",
        value: outbox.parked,
      },
    ]);
    return new Response(text, { headers: { "content-type": "text/plain; version=0.0.4" } });
  });
}
