import { Id, Notification, NotificationPage, Problem } from "@nudge/contracts";
import type { Sql } from "@nudge/db";
import { authentication } from "@nudge/http";
import { Type } from "@sinclair/typebox";
import { Elysia } from "elysia";
import { notificationsService } from "./service.ts";

const IdParams = Type.Object({ id: Id }, { additionalProperties: false });
const ListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(Type.String({ pattern: "^[A-Za-z0-9_-]{1,1000}$" })),
  },
  { additionalProperties: false },
);
const errors = { 400: Problem, 401: Problem, 404: Problem };

export function notificationRoutes(sql: Sql) {
  const notifications = notificationsService(sql);
  return new Elysia({ prefix: "/notifications", tags: ["notifications"] })
    .use(authentication())
    .get("", ({ userId, query }) => notifications.list(userId, query), {
      query: ListQuery,
      // Query strings arrive as text: the one numeric parameter is converted here.
      transform: ({ query }) => {
        const q = query as Record<string, unknown>;
        if (typeof q.limit === "string" && /^-?\d{1,6}$/.test(q.limit)) q.limit = Number(q.limit);
      },
      response: { 200: NotificationPage, ...errors },
      detail: { summary: "Your in-app notifications: unread first, then newest" },
    })
    .post("/read-all", ({ userId }) => notifications.markAllRead(userId), {
      response: { 200: Type.Object({ marked: Type.Integer({ minimum: 0 }) }), ...errors },
      detail: { summary: "Mark every unread notification read; returns how many were marked" },
    })
    .post("/:id/read", ({ userId, params }) => notifications.markRead(userId, params.id), {
      params: IdParams,
      response: { 200: Notification, ...errors },
      detail: { summary: "Mark one notification read" },
    });
}
