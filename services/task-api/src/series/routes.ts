import {
  Id,
  OccurrencePreview,
  Problem,
  RecurrencePreview,
  RecurrencePreviewQuery,
  Task,
} from "@nudge/contracts";
import type { Sql } from "@nudge/db";
import { authentication, HEADERS, readsHeaders, traceContext } from "@nudge/http";
import { Type } from "@sinclair/typebox";
import { Elysia } from "elysia";
import { badHeader, json } from "../http/respond.ts";
import { etagOf, ifMatchVersion } from "../tasks/model.ts";
import { tasksService } from "../tasks/service.ts";
import { userTimeZone } from "../users/service.ts";
import { seriesService } from "./service.ts";
import { skipOccurrence } from "./skip.ts";

const errors = { 400: Problem, 401: Problem, 404: Problem, 409: Problem, 412: Problem, 422: Problem };
const IdParams = Type.Object({ id: Id }, { additionalProperties: false });

/** Query strings arrive as text; the contract's integers are converted before validation. */
function countToNumber({ query }: { query: Record<string, unknown> }) {
  if (typeof query.count === "string" && /^-?\d{1,6}$/.test(query.count)) query.count = Number(query.count);
}

/** Recurrence previews and series operations. */
export function seriesRoutes(sql: Sql) {
  const series = seriesService(sql);
  const tasks = tasksService(sql);
  return new Elysia({ tags: ["recurrence"] })
    .use(authentication())
    .get(
      "/recurrence/preview",
      async ({ userId, query }) => series.preview(query, await userTimeZone(sql, userId)),
      {
        query: RecurrencePreviewQuery,
        transform: countToNumber,
        response: { 200: RecurrencePreview, ...errors },
        detail: { summary: "Read an RRULE or a phrase and show its next instants; nothing is created" },
      },
    )
    .get(
      "/tasks/:id/occurrences",
      ({ userId, params, query }) => series.occurrences(userId, params.id, query.count ?? 10),
      {
        params: IdParams,
        query: Type.Object(
          { count: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10 })) },
          { additionalProperties: false },
        ),
        transform: countToNumber,
        response: { 200: OccurrencePreview, ...errors },
        detail: { summary: "The next due dates of a recurring task's series" },
      },
    )
    .post(
      "/tasks/:id/skip",
      async ({ userId, params, headers }) => {
        const version = ifMatchVersion(headers["if-match"]);
        if (Number.isNaN(version)) throw badHeader("if-match", 'must be an ETag such as "3" (or *)');
        const task = await skipOccurrence(sql, { userId, trace: traceContext(headers) }, params.id, version);
        return json(task, 200, { etag: etagOf(task.version) });
      },
      {
        params: IdParams,
        response: { 200: Task, ...errors },
        detail: {
          summary: "Skip this occurrence: the task moves to the series' next one without being completed",
          ...readsHeaders(HEADERS.ifMatch),
        },
      },
    )
    .post(
      "/tasks/:id/series/stop",
      async ({ userId, params, headers }) => {
        const version = ifMatchVersion(headers["if-match"]);
        if (Number.isNaN(version)) throw badHeader("if-match", 'must be an ETag such as "3" (or *)');
        const task = await tasks.update(
          { userId, trace: traceContext(headers) },
          params.id,
          { recurrence: null },
          version,
          "series",
        );
        return json(task, 200, { etag: etagOf(task.version) });
      },
      {
        params: IdParams,
        response: { 200: Task, ...errors },
        detail: {
          summary: "Stop the series: this task stays, no next occurrence is created",
          ...readsHeaders(HEADERS.ifMatch),
        },
      },
    );
}
