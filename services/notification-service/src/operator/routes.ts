import type { DaprWorkflowClient } from "@dapr/dapr";
import type { Sql } from "@nudge/db";
import { Type } from "@sinclair/typebox";
import { Elysia } from "elysia";
import type { ReminderJob } from "../reminders/jobs.ts";

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
export function operatorRoutes(sql: Sql, client: DaprWorkflowClient, workflowName: string) {
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
      const [row] = await sql<Array<ReminderJob & { status: string }>>`
        select reminder_id as "reminderId", task_id as "taskId", user_id as "userId", occurrence_key as "occurrenceKey",
               due_at as "at", status from deliveries where instance_id = ${params.id}`;
      if (!row) return problem(404, "Not found", `no delivery ${params.id}`);
      if (row.status !== "failed")
        return problem(409, "Conflict", `delivery ${params.id} is ${row.status}, not failed`);
      // A new workflow instance for the same delivery: the delivery id stays the email's
      // idempotency key, so one email still results even if the provider had accepted an
      // earlier attempt. (Re-using a purged instance id leaves Dapr 1.18's workflow stuck.)
      await sql`update deliveries set status = 'sending', reason = null, updated_at = now() where instance_id = ${params.id}`;
      const { status: _, ...job } = row;
      const at = new Date(row.at as unknown as string).toISOString();
      const attempt = `${params.id}~retry-${Date.now().toString(36)}`;
      await client.scheduleNewWorkflow(workflowName, { ...job, at, deliveryId: params.id }, attempt);
      return new Response(JSON.stringify({ retrying: params.id, instanceId: attempt }), {
        status: 202,
        headers: { "content-type": "application/json" },
      });
    });
}
