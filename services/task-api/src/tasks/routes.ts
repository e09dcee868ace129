import { Id, Problem, Task, TaskCreate, TaskListQuery, TaskPage, TaskPatch } from "@nudge/contracts";
import type { Sql } from "@nudge/db";
import { authentication, HEADERS, readsHeaders, traceContext } from "@nudge/http";
import { Type } from "@sinclair/typebox";
import { Elysia } from "elysia";
import { badHeader, json, oncePerKey } from "../http/respond.ts";
import { userTimeZone } from "../users/service.ts";
import type { Actor } from "./actor.ts";
import { etagOf, ifMatchVersion } from "./model.ts";
import { listTasks } from "./query.ts";
import { tasksService } from "./service.ts";

const IdParams = Type.Object({ id: Id }, { additionalProperties: false });
const errors = { 400: Problem, 401: Problem, 404: Problem, 412: Problem, 422: Problem };

function ifMatch(header: string | undefined) {
  const version = ifMatchVersion(header);
  if (Number.isNaN(version)) throw badHeader("if-match", 'must be an ETag such as "3" (or *)');
  return version;
}

export function taskRoutes(sql: Sql, publicBaseUrl: string) {
  const tasks = tasksService(sql);
  const actorOf = (userId: string, headers: Record<string, string | undefined>): Actor => ({
    userId,
    trace: traceContext(headers),
  });

  return new Elysia({ prefix: "/tasks", tags: ["tasks"] })
    .use(authentication())
    .post(
      "",
      ({ userId, body, headers, path }) =>
        oncePerKey(sql, { userId, key: headers["idempotency-key"], path, body }, async (tx) => {
          const task = await tasks.create(actorOf(userId, headers), body, tx);
          return {
            status: 201,
            headers: { etag: etagOf(task.version), location: `${publicBaseUrl}/tasks/${task.id}` },
            body: task,
          };
        }),
      {
        body: TaskCreate,
        response: { 201: Task, ...errors },
        detail: { summary: "Create a task", ...readsHeaders(HEADERS.idempotencyKey) },
      },
    )
    .get("", ({ userId, query }) => listTasks(sql, userId, () => userTimeZone(sql, userId), query), {
      query: TaskListQuery,
      // Query strings arrive as text; Elysia coerces only its own `t` schemas, so the one
      // numeric parameter of the shared contract is converted here (anything else stays text
      // and fails validation with a clear message).
      transform: ({ query }) => {
        const q = query as Record<string, unknown>;
        if (typeof q.limit === "string" && /^-?\d{1,6}$/.test(q.limit)) q.limit = Number(q.limit);
      },
      response: { 200: TaskPage, ...errors },
      detail: { summary: "Search, filter and page through tasks" },
    })
    .get(
      "/:id",
      async ({ userId, params }) => {
        const task = await tasks.get(userId, params.id);
        return json(task, 200, { etag: etagOf(task.version) });
      },
      { params: IdParams, response: { 200: Task, ...errors }, detail: { summary: "Read a task" } },
    )
    .patch(
      "/:id",
      async ({ userId, params, body, headers, query }) => {
        const task = await tasks.update(
          actorOf(userId, headers),
          params.id,
          body,
          ifMatch(headers["if-match"]),
          query.scope,
        );
        return json(task, 200, { etag: etagOf(task.version) });
      },
      {
        params: IdParams,
        query: Type.Object(
          {
            scope: Type.Optional(
              Type.Union([Type.Literal("series"), Type.Literal("occurrence")], {
                description:
                  'For a recurring task: "series" (default) changes this and future occurrences, "occurrence" this one only.',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        body: TaskPatch,
        response: { 200: Task, ...errors },
        detail: { summary: "Change a task", ...readsHeaders(HEADERS.ifMatch) },
      },
    )
    .delete(
      "/:id",
      async ({ userId, params, headers }) => {
        await tasks.remove(actorOf(userId, headers), params.id, ifMatch(headers["if-match"]));
        return json(undefined, 204);
      },
      { params: IdParams, detail: { summary: "Delete a task", ...readsHeaders(HEADERS.ifMatch) } },
    )
    .post(
      "/:id/complete",
      ({ userId, params, headers, path }) => setStatus(userId, params.id, "completed", headers, path),
      {
        params: IdParams,
        response: { 200: Task, ...errors },
        detail: { summary: "Complete a task", ...readsHeaders(HEADERS.ifMatch, HEADERS.idempotencyKey) },
      },
    )
    .post(
      "/:id/reopen",
      ({ userId, params, headers, path }) => setStatus(userId, params.id, "open", headers, path),
      {
        params: IdParams,
        response: { 200: Task, ...errors },
        detail: { summary: "Reopen a task", ...readsHeaders(HEADERS.ifMatch, HEADERS.idempotencyKey) },
      },
    );

  async function setStatus(
    userId: string,
    id: string,
    status: "open" | "completed",
    headers: Record<string, string | undefined>,
    path: string,
  ) {
    const version = ifMatch(headers["if-match"]);
    const key = headers["idempotency-key"];
    return oncePerKey(sql, { userId, key, path, body: version ?? null }, async (tx) => {
      const task = await tasks.setStatus(actorOf(userId, headers), id, status, version, tx);
      return { status: 200, headers: { etag: etagOf(task.version) }, body: task };
    });
  }
}
