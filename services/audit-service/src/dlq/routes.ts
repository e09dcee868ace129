import type { Sidecar } from "@nudge/dapr";
import type { Sql } from "@nudge/db";
import { Type } from "@sinclair/typebox";
import { Elysia } from "elysia";
import { listDeadLetters, purgeDeadLetters, replayDeadLetters } from "./store.ts";

/**
 * Operator endpoints over dlq-events (what `./nudge dlq` calls). Bearer OPERATOR_TOKEN or nothing:
 * the boundary's access policy (app.ts) checks it before anything reads the request.
 */
export function deadLetterRoutes(sql: Sql, sidecar: Sidecar) {
  return new Elysia({ prefix: "/operator/dead-letters", tags: ["operations"] })
    .get(
      "/",
      async ({ query }) => ({
        items: await listDeadLetters(sql, query.status ?? "parked", query.limit ?? 100),
      }),
      {
        query: Type.Object(
          {
            status: Type.Optional(
              Type.Union([Type.Literal("parked"), Type.Literal("replayed"), Type.Literal("all")]),
            ),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          },
          { additionalProperties: false },
        ),
        transform: ({ query }) => {
          const q = query as Record<string, unknown>;
          if (typeof q.limit === "string" && /^\d{1,4}$/.test(q.limit)) q.limit = Number(q.limit);
        },
      },
    )
    .post("/replay", async ({ body }) => ({ replayed: await replayDeadLetters(sql, sidecar, body) }), {
      body: Type.Object(
        { eventId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) },
        { additionalProperties: false },
      ),
    })
    .delete("/", async ({ query }) => ({ purged: await purgeDeadLetters(sql, query.scope ?? "all") }), {
      response: { 200: Type.Object({ purged: Type.Integer({ minimum: 0 }) }) },
      query: Type.Object(
        { scope: Type.Optional(Type.Union([Type.Literal("replayed"), Type.Literal("all")])) },
        { additionalProperties: false },
      ),
    });
}
