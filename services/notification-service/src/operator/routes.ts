import type { JobsClient } from "@nudge/dapr";
import type { Sql } from "@nudge/db";
import { Type } from "@sinclair/typebox";
import { Elysia } from "elysia";
import type { BatchingConfig } from "../config.ts";
import { readyBucket } from "../reminders/arming.ts";
import { bucketOf, shardOf } from "../reminders/buckets.ts";

const problem = (status: number, title: string, detail: string) =>
  new Response(
    JSON.stringify({ type: `/problems/${title.toLowerCase().replace(/ /g, "-")}`, title, status, detail }),
    {
      status,
      headers: { "content-type": "application/problem+json" },
    },
  );

/**
 * Operator endpoints: failed deliveries and retrying one. Bearer OPERATOR_TOKEN or nothing: the
 * boundary's access policy (app.ts) checks it before anything reads the request.
 */
export function operatorRoutes(sql: Sql, jobs: JobsClient, policy: BatchingConfig) {
  return new Elysia({ prefix: "/operator" })
    .get(
      "/deliveries",
      async ({ query }) => {
        const rows = await sql`
          select instance_id, reminder_id, task_id, user_id, occurrence_key, due_at, status, recipient, message_id, reason, updated_at
          from deliveries where status = ${query.status ?? "failed"} order by updated_at desc limit ${query.limit ?? 100}`;
        return { items: rows };
      },
      {
        query: Type.Object(
          {
            status: Type.Optional(
              Type.Union([
                Type.Literal("failed"),
                Type.Literal("sent"),
                Type.Literal("skipped"),
                Type.Literal("sending"),
              ]),
            ),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
          },
          { additionalProperties: false },
        ),
        transform: ({ query }) => {
          const q = query as Record<string, unknown>;
          if (typeof q.limit === "string" && /^\d{1,4}$/.test(q.limit)) q.limit = Number(q.limit);
        },
      },
    )
    .post("/deliveries/:id/retry", async ({ params }) => {
      // The failed occurrence is armed again into the current bucket, whose job fires now: it
      // is looked up afresh (a task completed meanwhile is skipped) and sent in a new chunk
      // under a new key — the provider refused or never took the earlier one.
      const outcome = await sql.begin(async (tx) => {
        const [row] = await tx<
          {
            status: string;
            reminder_id: string;
            occurrence_key: string;
            task_id: string;
            user_id: string;
            due_at: Date;
          }[]
        >`
          select status, reminder_id, occurrence_key, task_id, user_id, due_at
          from deliveries where instance_id = ${params.id} for update`;
        if (!row) return problem(404, "Not found", `no delivery ${params.id}`);
        if (row.status !== "failed") {
          return problem(409, "Conflict", `delivery ${params.id} is ${row.status}, not failed`);
        }
        const now = Date.now();
        const bucket = bucketOf(now, policy.bucketMs);
        const shard = shardOf(row.reminder_id, policy.shards);
        await tx`update deliveries set status = 'sending', reason = null, updated_at = now() where instance_id = ${params.id}`;
        await tx`
          insert into occurrences (delivery_id, reminder_id, occurrence_key, task_id, user_id, due_at, bucket, shard, state)
          values (${params.id}, ${row.reminder_id}, ${row.occurrence_key}, ${row.task_id}, ${row.user_id}, ${row.due_at},
                  ${bucket}, ${shard}, 'armed')
          on conflict (delivery_id) do update set state = 'armed', bucket = excluded.bucket, shard = excluded.shard,
            claimed_by = null, claim_page = null, chunk = null, updated_at = now()`;
        await readyBucket(tx, jobs, policy, bucket, shard, now, new Map(), now);
        return undefined;
      });
      if (outcome) return outcome;
      return new Response(JSON.stringify({ retrying: params.id }), {
        status: 202,
        headers: { "content-type": "application/json" },
      });
    });
}
