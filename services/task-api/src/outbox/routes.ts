import type { Sql } from "@nudge/db";
import { notFound } from "@nudge/http";
import { Type } from "@sinclair/typebox";
import { Elysia } from "elysia";
import { listParked, parkedEvent, replayParked } from "./store.ts";

const Id = Type.Object({ id: Type.String({ format: "uuid" }) });

/**
 * Operator endpoints over parked outbox rows (what `./nudge outbox` calls): list them, read one
 * event, put them back in line. Bearer OPERATOR_TOKEN or nothing: the boundary's access policy
 * (app.ts) checks it before anything reads the request. Not part of the public API document.
 */
export function outboxOperatorRoutes(sql: Sql) {
  return new Elysia({ prefix: "/operator/outbox", tags: ["operations"] })
    .get("/parked", ({ query }) => listParked(sql, query.limit ?? 100, query.after), {
      query: Type.Object(
        {
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          after: Type.Optional(Type.String({ pattern: "^[0-9]{1,18}$" })),
        },
        { additionalProperties: false },
      ),
      transform: ({ query }) => {
        const q = query as Record<string, unknown>;
        if (typeof q.limit === "string" && /^\d{1,4}$/.test(q.limit)) q.limit = Number(q.limit);
      },
    })
    .get(
      "/parked/:id",
      async ({ params }) =>
        (await parkedEvent(sql, params.id)) ?? Promise.reject(notFound(`parked event ${params.id}`)),
      { params: Id },
    )
    .post(
      "/parked/:id/replay",
      async ({ params }) => {
        const replayed = await replayParked(sql, params.id);
        if (!replayed.length) throw notFound(`parked event ${params.id}`);
        return { replayed };
      },
      { params: Id },
    )
    .post("/parked/replay", async () => ({ replayed: await replayParked(sql) }));
}
