import type { Task, TaskListQuery } from "@nudge/contracts";
import type { Sql } from "@nudge/db";
import { ProblemError } from "@nudge/http";
import type { Fragment } from "postgres";
import { priorityRank, TASK_COLUMNS, type TaskRow, toTask } from "./model.ts";
import { parseInstant } from "./validate.ts";

type Sort = NonNullable<TaskListQuery["sort"]>;
type Order = "asc" | "desc";

const badQuery = (field: string, message: string) =>
  new ProblemError(400, "invalid-query", "Invalid query", `${field}: ${message}`, [{ field, message }]);

/** PostgreSQL's text form of a timestamptz as the list prints it, or ±infinity (tasks without due date). */
const TIMESTAMP_KEY =
  /^(\d{4})-(\d{2})-(\d{2}) ([01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,6})?[+-](?:[01]\d|2[0-3])(?::[0-5]\d)?$/;

function isTimestampKey(key: string, infinityAllowed = false): boolean {
  if (infinityAllowed && (key === "infinity" || key === "-infinity")) return true;
  const match = TIMESTAMP_KEY.exec(key);
  if (!match) return false;
  const [year, month, day] = match.slice(1, 4).map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return year >= 1900 && year <= 3000 && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * How each sort orders rows; `key` is compared as `cast` in keyset conditions, and a cursor's key
 * must have the shape PostgreSQL prints for that cast (`keyShape`), so a tampered cursor is a 400,
 * never a failing cast.
 */
const SORTS: Record<
  Sort,
  { key: (order: Order) => string; cast: string; defaultOrder: Order; keyShape: (key: string) => boolean }
> = {
  // Tasks without a due date come last in either direction.
  due: {
    key: (o) => `coalesce(t.due_at, '${o === "asc" ? "infinity" : "-infinity"}'::timestamptz)`,
    cast: "timestamptz",
    defaultOrder: "asc",
    keyShape: (k) => isTimestampKey(k, true),
  },
  priority: {
    key: () => "t.priority",
    cast: "smallint",
    defaultOrder: "desc",
    keyShape: (k) => /^[0-4]$/.test(k),
  },
  created: {
    key: () => "t.created_at",
    cast: "timestamptz",
    defaultOrder: "desc",
    keyShape: (k) => isTimestampKey(k),
  },
  updated: {
    key: () => "t.updated_at",
    cast: "timestamptz",
    defaultOrder: "desc",
    keyShape: (k) => isTimestampKey(k),
  },
  title: {
    key: () => "lower(t.title)",
    cast: "text",
    defaultOrder: "asc",
    keyShape: (k) => k.length <= 2000 && !k.includes("\u0000") && k.isWellFormed(),
  },
  relevance: {
    key: () => "ts_rank(t.search, query.q)",
    cast: "real",
    defaultOrder: "desc",
    keyShape: (k) => /^(?:0|[1-9]\d{0,37})(?:\.\d{1,9})?(?:e[+-]\d{1,2})?$/.test(k),
  },
};

interface Cursor {
  s: Sort;
  o: Order;
  f: string; // fingerprint of the filters the cursor was issued for
  k: string; // the last row's sort key, as Postgres printed it (full precision)
  i: string; // the last row's id
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString("base64url");
}

function decodeCursor(text: string, sort: Sort, order: Order, fingerprint: string): Cursor {
  let cursor: Partial<Cursor>;
  try {
    cursor = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    throw badQuery("query.cursor", "is not a cursor this API issued");
  }
  if (
    typeof cursor !== "object" ||
    cursor === null ||
    typeof cursor.k !== "string" ||
    typeof cursor.i !== "string" ||
    !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(cursor.i) ||
    !SORTS[sort].keyShape(cursor.k)
  ) {
    throw badQuery("query.cursor", "is not a cursor this API issued");
  }
  if (cursor.s !== sort || cursor.o !== order || cursor.f !== fingerprint) {
    throw badQuery("query.cursor", "belongs to a different sort or filter; start again without a cursor");
  }
  return cursor as Cursor;
}

/** "plan mee" → "plan:* & mee:*": every word must match, each as a prefix. */
export function prefixQuery(q: string): string {
  const words = q.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  if (!words.length) throw badQuery("query.q", "needs at least one letter or digit");
  return words
    .slice(0, 16)
    .map((w) => `${w}:*`)
    .join(" & ");
}

const truthy = (flag: "true" | "false" | undefined) => (flag === undefined ? undefined : flag === "true");

export async function listTasks(
  sql: Sql,
  userId: string,
  /** Looked up only when a filter needs it (dueToday): most lists never touch the users table. */
  userTimeZone: () => Promise<string>,
  query: TaskListQuery,
): Promise<{ items: Task[]; nextCursor: string | null }> {
  const sort: Sort = query.sort ?? (query.q ? "relevance" : "created");
  if (sort === "relevance" && !query.q) throw badQuery("query.sort", "relevance needs a search (q)");
  const order: Order = query.order ?? SORTS[sort].defaultOrder;
  const limit = query.limit ?? 50;
  const { sort: _s, order: _o, cursor: _c, limit: _l, ...filters } = query;
  const fingerprint = Bun.hash(JSON.stringify(filters)).toString(36);

  const where: Fragment[] = [sql`t.user_id = ${userId}`];
  if (query.q) where.push(sql`t.search @@ query.q`);
  if (query.status) where.push(sql`t.status = ${query.status}`);
  if (query.priorityAtLeast) where.push(sql`t.priority >= ${priorityRank(query.priorityAtLeast)}`);
  if (query.tags !== undefined) {
    const names = [
      ...new Set(
        query.tags
          .split(",")
          .map((n) => n.trim().toLowerCase())
          .filter(Boolean),
      ),
    ];
    if (!names.length) throw badQuery("query.tags", "lists no tag names");
    // From the user's matching tags to their tasks (indexed both ways), not a count per task row:
    // the cost follows the tagged tasks, not the size of the account.
    const needed = query.tagMatch === "all" ? names.length : 1;
    where.push(sql`t.id in (select tt.task_id from tags g join task_tags tt on tt.tag_id = g.id
                            where g.user_id = ${userId} and lower(g.name) = any(${names}::text[])
                            group by tt.task_id having count(distinct g.id) >= ${needed})`);
  }
  if (query.dueBefore) where.push(sql`t.due_at < ${parseInstant(query.dueBefore, "query.dueBefore")}`);
  if (query.dueAfter) where.push(sql`t.due_at >= ${parseInstant(query.dueAfter, "query.dueAfter")}`);
  const overdue = truthy(query.overdue);
  if (overdue !== undefined) {
    const isOverdue = sql`(t.status = 'open' and t.due_at < now())`;
    where.push(overdue ? isOverdue : sql`not coalesce(${isOverdue}, false)`);
  }
  const dueToday = truthy(query.dueToday);
  if (dueToday !== undefined) {
    // "Today" is the user's calendar day in their own time zone.
    const zone = await userTimeZone();
    const today = sql`(t.due_at >= date_trunc('day', now() at time zone ${zone}) at time zone ${zone}
                      and t.due_at < (date_trunc('day', now() at time zone ${zone}) + interval '1 day') at time zone ${zone})`;
    where.push(dueToday ? today : sql`not coalesce(${today}, false)`);
  }
  const hasReminders = truthy(query.hasReminders);
  if (hasReminders !== undefined) {
    const exists = sql`exists (select 1 from reminders r where r.task_id = t.id)`;
    where.push(hasReminders ? exists : sql`not ${exists}`);
  }
  const recurring = truthy(query.recurring);
  if (recurring !== undefined)
    where.push(recurring ? sql`t.recurrence is not null` : sql`t.recurrence is null`);

  const spec = SORTS[sort];
  const key = spec.key(order);
  const direction = order === "asc" ? ">" : "<";
  if (query.cursor) {
    const cursor = decodeCursor(query.cursor, sort, order, fingerprint);
    // The key travels as text and is cast in SQL, keeping "infinity" and microseconds intact.
    where.push(
      sql`(${sql.unsafe(key)}, t.id) ${sql.unsafe(direction)} (${cursor.k}::text::${sql.unsafe(spec.cast)}, ${cursor.i}::uuid)`,
    );
  }

  const conditions = where.reduce((acc, next) => sql`${acc} and ${next}`);
  const searchSource = query.q ? sql`, to_tsquery('simple', ${prefixQuery(query.q)}) as query(q)` : sql``;
  const rows = await sql<Array<TaskRow & { sort_key: string }>>`
    select ${sql.unsafe(TASK_COLUMNS)}, (${sql.unsafe(key)})::text as sort_key
    from tasks t ${searchSource}
    where ${conditions}
    order by ${sql.unsafe(key)} ${sql.unsafe(order)}, t.id ${sql.unsafe(order)}
    limit ${limit + 1}`;

  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const nextCursor =
    rows.length > limit && last
      ? encodeCursor({ s: sort, o: order, f: fingerprint, k: last.sort_key, i: last.id })
      : null;
  return { items: page.map(toTask), nextCursor };
}
