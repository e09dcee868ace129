import { ActivityQuery, AuditPage, HistoryQuery, Id } from "@nudge/contracts";
import type { Sql } from "@nudge/db";
import { authentication } from "@nudge/http";
import { Type } from "@sinclair/typebox";
import { Elysia } from "elysia";
import { activity, taskHistory } from "./service.ts";

/** Query strings arrive as text; numbers are converted only when they are plainly numbers. */
const limitAsNumber = ({ query }: { query: Record<string, unknown> }) => {
  if (typeof query.limit === "string" && /^\d{1,4}$/.test(query.limit)) query.limit = Number(query.limit);
};

/**
 * The public history API: bearer JWT, a user reads only their own history. Served at the root
 * and under `/history`, the path the ingress sends to audit-service (`/` is task-api's).
 */
export function historyRoutes(sql: Sql, prefix: "" | "/history" = "") {
  return new Elysia({ prefix, tags: ["history"] })
    .use(authentication())
    .get("/tasks/:id/history", ({ userId, params, query }) => taskHistory(sql, userId, params.id, query), {
      params: Type.Object({ id: Id }),
      query: HistoryQuery,
      transform: limitAsNumber,
      response: { 200: AuditPage },
      detail: { summary: "A task's changes, newest first" },
    })
    .get("/activity", ({ userId, query }) => activity(sql, userId, query), {
      query: ActivityQuery,
      transform: limitAsNumber,
      response: { 200: AuditPage },
      detail: { summary: "The user's activity feed, newest first" },
    });
}
