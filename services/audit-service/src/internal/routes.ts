import type { LiveMessage, TaskEvent } from "@nudge/contracts";
import type { Sql } from "@nudge/db";
import { Type } from "@sinclair/typebox";
import { Elysia } from "elysia";

/** The live projection of a recorded task event: what realtime-gateway would have pushed. */
export function liveMessageOf(event: TaskEvent): LiveMessage {
  const { task } = event.data;
  return {
    id: event.id,
    type: "task.changed",
    data: {
      taskId: task.id,
      change: event.type as string,
      version: event.data.version,
      title: task.title,
      status: task.status,
      priority: task.priority,
      dueAt: task.dueAt,
      updatedAt: task.updatedAt,
    },
  };
}

/**
 * For realtime-gateway, through Dapr service invocation only (the sidecar's app token): a user's
 * task events after `after`, oldest first. Event ids are UUIDv7, so id order is the order the
 * outbox created them in; `more` says the gap was larger than `limit`.
 */
export function internalRoutes(sql: Sql) {
  return new Elysia({ prefix: "/internal" }).get(
    "/users/:userId/live",
    async ({ params, query }) => {
      const limit = query.limit ?? 500;
      const rows = await sql<{ event: TaskEvent }[]>`
        select event from audit_events
        where user_id = ${params.userId} and event_id > ${query.after} and type like 'task.%'
          and type not like 'task.recurring.%'
        order by event_id limit ${limit + 1}`;
      return {
        items: rows.slice(0, limit).map((row) => liveMessageOf(row.event)),
        more: rows.length > limit,
      };
    },
    {
      params: Type.Object({ userId: Type.String({ minLength: 1, maxLength: 200 }) }),
      query: Type.Object(
        {
          after: Type.String({ pattern: "^[0-9a-f-]{36}$" }),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })),
        },
        { additionalProperties: false },
      ),
      transform: ({ query }) => {
        const q = query as Record<string, unknown>;
        if (typeof q.limit === "string" && /^\d{1,4}$/.test(q.limit)) q.limit = Number(q.limit);
      },
    },
  );
}
