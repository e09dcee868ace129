import type { InternalNotificationCreate, Notification, NotificationBatchResult } from "@nudge/contracts";
import type { Sql } from "@nudge/db";
import { notFound, ProblemError } from "@nudge/http";
import { ensureUser } from "../users/service.ts";

interface NotificationRow {
  id: string;
  task_id: string | null;
  reminder_id: string | null;
  title: string;
  body: string;
  created_at: Date;
  read_at: Date | null;
}

const COLUMNS = "id, task_id, reminder_id, title, body, created_at, read_at";

function toNotification(row: NotificationRow): Notification {
  return {
    id: row.id,
    taskId: row.task_id,
    reminderId: row.reminder_id,
    title: row.title,
    body: row.body,
    createdAt: row.created_at.toISOString(),
    readAt: row.read_at?.toISOString() ?? null,
  };
}

/** Where a page ended, in feed order: unread first (u), then newest (k = created_at), then id. */
interface Cursor {
  u: boolean;
  k: string;
  i: string;
}

const badCursor = () =>
  new ProblemError(400, "invalid-query", "Invalid query", "query.cursor: is not a cursor this API issued", [
    { field: "query.cursor", message: "is not a cursor this API issued" },
  ]);

function decodeCursor(text: string): Cursor {
  let cursor: Partial<Cursor>;
  try {
    cursor = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    throw badCursor();
  }
  const valid =
    typeof cursor === "object" &&
    cursor !== null &&
    typeof cursor.u === "boolean" &&
    typeof cursor.k === "string" &&
    /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/.test(cursor.k) &&
    typeof cursor.i === "string" &&
    /^[0-9a-f-]{36}$/.test(cursor.i);
  if (!valid) throw badCursor();
  return cursor as Cursor;
}

export function notificationsService(sql: Sql) {
  return {
    /** Unread first, then newest; keyset pages stay stable while new notifications arrive. */
    async list(userId: string, query: { limit?: number; cursor?: string }) {
      const limit = query.limit ?? 20;
      const after = query.cursor ? decodeCursor(query.cursor) : undefined;
      // (unread, created_at, id) descending, read backwards from notifications_feed.
      const rows = await sql<Array<NotificationRow & { unread: boolean; sort_key: string }>>`
        select ${sql.unsafe(COLUMNS)}, read_at is null as unread, created_at::text as sort_key
        from notifications
        where user_id = ${userId}
          ${after ? sql`and (read_at is null, created_at, id) < (${after.u}, ${after.k}::text::timestamptz, ${after.i}::uuid)` : sql``}
        order by read_at is null desc, created_at desc, id desc
        limit ${limit + 1}`.catch((error) => {
        // A forged cursor of the right shape may still name an impossible instant or id.
        if (after && /^22/.test((error as { code?: string }).code ?? "")) throw badCursor();
        throw error;
      });
      const [counted] = await sql<{ n: number }[]>`
        select count(*)::int as n from notifications where user_id = ${userId} and read_at is null`;
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      const nextCursor =
        rows.length > limit && last
          ? Buffer.from(JSON.stringify({ u: last.unread, k: last.sort_key, i: last.id })).toString(
              "base64url",
            )
          : null;
      return { items: page.map(toNotification), unreadCount: counted?.n ?? 0, nextCursor };
    },

    /** Marking a read notification again keeps its first read time. */
    async markRead(userId: string, id: string): Promise<Notification> {
      const [row] = await sql<NotificationRow[]>`
        update notifications set read_at = coalesce(read_at, now())
        where id = ${id} and user_id = ${userId}
        returning ${sql.unsafe(COLUMNS)}`;
      if (!row) throw notFound(`notification ${id}`);
      return toNotification(row);
    },

    async markAllRead(userId: string): Promise<{ marked: number }> {
      const result = await sql`
        update notifications set read_at = now() where user_id = ${userId} and read_at is null`;
      return { marked: result.count };
    },

    /**
     * Record a delivery's in-app notification once: a repeated deliveryId returns the first one.
     * Task and reminder are linked only when they still exist and belong to the user.
     */
    async record(
      input: InternalNotificationCreate,
    ): Promise<{ notification: Notification; created: boolean }> {
      await ensureUser(sql, input.userId);
      const [inserted] = await sql<NotificationRow[]>`
        insert into notifications (id, user_id, task_id, reminder_id, delivery_id, title, body)
        values (${Bun.randomUUIDv7()}, ${input.userId},
                (select id from tasks where id = ${input.taskId} and user_id = ${input.userId}),
                (select id from reminders where id = ${input.reminderId} and user_id = ${input.userId}),
                ${input.deliveryId}, ${input.title}, ${input.body})
        on conflict (delivery_id) do nothing
        returning ${sql.unsafe(COLUMNS)}`;
      if (inserted) return { notification: toNotification(inserted), created: true };
      const [first] = await sql<NotificationRow[]>`
        select ${sql.unsafe(COLUMNS)} from notifications where delivery_id = ${input.deliveryId}`;
      if (!first) throw new Error(`notification of delivery ${input.deliveryId} vanished after a conflict`);
      return { notification: toNotification(first), created: false };
    },

    /**
     * A chunk's notifications in one statement, each once per deliveryId (a repeat changes
     * nothing). Task and reminder are linked only when they still exist and belong to the user.
     */
    async recordBatch(inputs: InternalNotificationCreate[]): Promise<NotificationBatchResult> {
      const users = [...new Set(inputs.map((n) => n.userId))];
      await sql`insert into users (id) select unnest(${users}::text[]) on conflict (id) do nothing`;
      const column = <K extends keyof InternalNotificationCreate>(key: K) => inputs.map((n) => n[key]);
      const inserted = await sql`
        insert into notifications (id, user_id, task_id, reminder_id, delivery_id, title, body)
        select v.id, v.user_id, t.id, r.id, v.delivery_id, v.title, v.body
        from unnest(${inputs.map(() => Bun.randomUUIDv7())}::uuid[], ${column("userId")}::text[],
                    ${column("taskId")}::uuid[], ${column("reminderId")}::uuid[], ${column("deliveryId")}::text[],
                    ${column("title")}::text[], ${column("body")}::text[])
             as v(id, user_id, task_id, reminder_id, delivery_id, title, body)
        left join tasks t on t.id = v.task_id and t.user_id = v.user_id
        left join reminders r on r.id = v.reminder_id and r.user_id = v.user_id
        on conflict (delivery_id) do nothing`;
      return { created: inserted.count, repeated: inputs.length - inserted.count };
    },
  };
}
