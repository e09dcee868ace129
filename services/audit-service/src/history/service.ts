import {
  type ActivityQuery,
  type AuditEntry,
  type AuditPage,
  type HistoryQuery,
  isInstant,
} from "@nudge/contracts";
import type { Sql } from "@nudge/db";
import { notFound } from "@nudge/http";
import { badQuery, decodeCursor, encodeCursor } from "./cursor.ts";

interface EntryRow {
  event_id: string;
  type: string;
  task_id: string;
  user_id: string;
  actor: string;
  occurred_at: Date;
  version: number | null;
  changes: AuditEntry["changes"];
}

const toEntry = (row: EntryRow): AuditEntry => ({
  eventId: row.event_id,
  type: row.type,
  taskId: row.task_id,
  userId: row.user_id,
  actor: row.actor,
  occurredAt: row.occurred_at.toISOString(),
  version: row.version,
  changes: row.changes,
});

function page(rows: EntryRow[], limit: number, fingerprint: string): AuditPage {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map(toEntry),
    nextCursor: rows.length > limit && last ? encodeCursor(last.event_id, fingerprint) : null,
  };
}

const COLUMNS = "event_id, type, task_id, user_id, actor, occurred_at, version, changes";
/**
 * Newest first by event id: UUIDv7, so the order the changes were made in. Not the ingest order
 * (seq): events of different tasks travel on different partitions, and a replayed event arrives
 * late but belongs where it was made. Byte order ("C"), as the indexes of migration 002 are.
 */
const NEWEST_FIRST = `event_id collate "C" desc`;

/**
 * One task's history, newest first. Only its owner's rows are visible: another user's task
 * answers 404, exactly like one that never existed.
 */
export async function taskHistory(sql: Sql, userId: string, taskId: string, query: HistoryQuery) {
  const limit = query.limit ?? 50;
  const fingerprint = `task:${taskId}`;
  const after = decodeCursor(query.cursor, fingerprint);
  const rows = await sql<EntryRow[]>`
    select ${sql.unsafe(COLUMNS)} from audit_events
    where task_id = ${taskId} and user_id = ${userId}
      ${after ? sql`and event_id collate "C" < ${after}` : sql``}
    order by ${sql.unsafe(NEWEST_FIRST)} limit ${limit + 1}`;
  if (!rows.length && !after) throw notFound(`task ${taskId}`);
  return page(rows, limit, fingerprint);
}

/** The user's activity feed, newest first, filtered by event type and `occurredAt` range. */
export async function activity(sql: Sql, userId: string, query: ActivityQuery) {
  const limit = query.limit ?? 50;
  const from = query.from ? instant("query.from", query.from) : undefined;
  const to = query.to ? instant("query.to", query.to) : undefined;
  if (from && to && from > to) throw badQuery("query.from", "must not be after query.to");
  const fingerprint = JSON.stringify([query.type ?? "", query.from ?? "", query.to ?? ""]);
  const after = decodeCursor(query.cursor, fingerprint);
  const rows = await sql<EntryRow[]>`
    select ${sql.unsafe(COLUMNS)}
    from audit_events
    where user_id = ${userId}
      ${query.type ? sql`and type = ${query.type}` : sql``}
      ${from ? sql`and occurred_at >= ${from}` : sql``}
      ${to ? sql`and occurred_at < ${to}` : sql``}
      ${after ? sql`and event_id collate "C" < ${after}` : sql``}
    order by ${sql.unsafe(NEWEST_FIRST)} limit ${limit + 1}`;
  return page(rows, limit, fingerprint);
}

function instant(field: string, text: string): Date {
  if (!isInstant(text)) throw badQuery(field, "must be an RFC 3339 instant, years 1970–2999");
  return new Date(text);
}
