import { type Sidecar, sidecarReady } from "@nudge/dapr";
import type { Sql } from "@nudge/db";
import { readiness } from "@nudge/http";
import { Elysia } from "elysia";

/** Unauthenticated probes. (Metrics are on their own port: observability/routes.ts.) */
export function healthRoutes(sql: Sql, sidecar: Sidecar) {
  return new Elysia({ tags: ["operations"] })
    .get("/healthz", () => ({ status: "ok" }), { detail: { summary: "The process is up" } })
    .get(
      "/readyz",
      ({ set }) => readiness({ database: () => sql`select 1`, dapr: () => sidecarReady(sidecar) }, set),
      { detail: { summary: "PostgreSQL and the Dapr sidecar are reachable" } },
    );
}
