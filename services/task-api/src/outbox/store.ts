import type { CloudEvent } from "@nudge/dapr";
import type { Sql } from "@nudge/db";
import { OUTBOX_CHANNEL } from "./enqueue.ts";

/** One outbox row as the relay publishes it. */
export interface OutboxRow {
  seq: string;
  id: string;
  topic: string;
  partition_key: string;
  event: CloudEvent;
  attempts: number;
}

// A row is pending while neither sent nor parked. Rows of one task (partition key) go out in
// seq order: a row is never taken while an earlier pending row of its task is waiting for a
// retry. Parked rows are stepped over (docs/decisions.md: per-task order and parked events).

/**
 * Pending rows never tried (or held back only by an outage), in commit order, that nothing
 * earlier of their task waits for. The held rows are looked up once, as a small set (index
 * outbox_held), never per candidate row: that per-row look-up was planned as a scan of every
 * pending row when the statistics did not know of a backlog (migration 007).
 */
export function freshRows(sql: Sql, limit: number): Promise<OutboxRow[]> {
  return sql<OutboxRow[]>`
    with held as materialized (
      select partition_key, min(seq) as seq from outbox
      where sent_at is null and parked_at is null and (attempts > 0 or next_attempt_at is not null)
        and (attempts > 0 or next_attempt_at > now())
      group by partition_key)
    select o.seq, o.id, o.topic, o.partition_key, o.event, o.attempts from outbox o
    where o.sent_at is null and o.parked_at is null and o.attempts = 0
      and (o.next_attempt_at is null or o.next_attempt_at <= now())
      and not exists (select 1 from held h where h.partition_key = o.partition_key and h.seq < o.seq)
    order by o.seq limit ${limit}`;
}

/** Rows whose retry is due: each the first pending row of its task. */
export function retryRows(sql: Sql, limit: number): Promise<OutboxRow[]> {
  return sql<OutboxRow[]>`
    select o.seq, o.id, o.topic, o.partition_key, o.event, o.attempts from outbox o
    where o.sent_at is null and o.parked_at is null and o.attempts > 0 and o.next_attempt_at <= now()
      and not exists (
        select 1 from outbox e
        where e.partition_key = o.partition_key and e.seq < o.seq and e.sent_at is null and e.parked_at is null)
    order by o.next_attempt_at limit ${limit}`;
}

/** Milliseconds until the earliest pending row of the lane falls due again (undefined: none). */
export async function msUntilNextDue(sql: Sql, retrying: boolean): Promise<number | undefined> {
  // Clamped here, not with greatest(0, …): GREATEST ignores NULL, so "no row pending" came out
  // as 0 ms and an idle relay queried the outbox in a loop (found on the test cluster).
  const [row] = await sql<{ ms: number | null }[]>`
    select (extract(epoch from min(next_attempt_at) - now()) * 1000)::float8 as ms from outbox
    where sent_at is null and parked_at is null and next_attempt_at is not null
      and (attempts > 0) = ${retrying}`;
  return row?.ms == null ? undefined : Math.max(0, row.ms);
}

export async function markSent(sql: Sql, ids: string[]): Promise<void> {
  if (ids.length) await sql`update outbox set sent_at = now() where id = any(${ids}::uuid[])`;
}

/** Delete rows sent longer ago than the retention (10 000 at most per call); resolves to how many. */
export async function pruneSent(sql: Sql, retentionHours: number): Promise<number> {
  const deleted = await sql`
    delete from outbox where seq in (
      select seq from outbox where sent_at < now() - make_interval(hours => ${retentionHours}) limit 10000)`;
  return deleted.count;
}

/** A failed attempt: counted (or not, during an outage) and tried again after `retryInMs`. */
export async function recordFailure(
  sql: Sql,
  id: string,
  error: string,
  retryInMs: number,
  counted: boolean,
): Promise<void> {
  await sql`
    update outbox set attempts = attempts + ${counted ? 1 : 0}, last_error = ${error.slice(0, 1000)},
      next_attempt_at = now() + make_interval(secs => ${retryInMs / 1000})
    where id = ${id}`;
}

/** Give up on a row: kept with its reason until an operator replays it. */
export async function park(sql: Sql, id: string, reason: string, counted: boolean): Promise<void> {
  await sql`
    update outbox set parked_at = now(), attempts = attempts + ${counted ? 1 : 0},
      last_error = ${reason.slice(0, 1000)}, next_attempt_at = null
    where id = ${id}`;
}

export interface ParkedEvent {
  id: string;
  topic: string;
  partitionKey: string;
  type: string;
  subject: string | null;
  attempts: number;
  reason: string | null;
  createdAt: string;
  parkedAt: string;
}

/** Parked rows, oldest first, after the cursor `afterSeq`. */
export async function listParked(sql: Sql, limit: number, afterSeq = "0") {
  const rows = await sql<
    (Omit<ParkedEvent, "createdAt" | "parkedAt"> & { seq: string; createdAt: Date; parkedAt: Date })[]
  >`
    select seq, id, topic, partition_key as "partitionKey", event->>'type' as type,
      event->>'subject' as subject, attempts, last_error as reason,
      created_at as "createdAt", parked_at as "parkedAt"
    from outbox where parked_at is not null and seq > ${afterSeq}::bigint
    order by seq limit ${limit + 1}`;
  const page = rows.slice(0, limit);
  return {
    items: page.map(({ seq: _, createdAt, parkedAt, ...rest }) => ({
      ...rest,
      createdAt: createdAt.toISOString(),
      parkedAt: parkedAt.toISOString(),
    })),
    next: rows.length > limit ? (page.at(-1)?.seq ?? null) : null,
  };
}

/** The stored event of a parked row, as it will be published again. */
export async function parkedEvent(sql: Sql, id: string): Promise<CloudEvent | undefined> {
  const [row] = await sql<{ event: CloudEvent }[]>`
    select event from outbox where id = ${id} and parked_at is not null`;
  return row?.event;
}

/**
 * Put parked rows back in line (all of them, or one): the relay publishes them again with their
 * original id, so consumers that saw one already skip it. A row that still fails is parked again.
 */
export async function replayParked(sql: Sql, id?: string): Promise<string[]> {
  const rows = await sql<{ id: string }[]>`
    update outbox set parked_at = null, attempts = 0, next_attempt_at = null
    where parked_at is not null ${id ? sql`and id = ${id}` : sql``}
    returning id`;
  await sql`select pg_notify(${OUTBOX_CHANNEL}, '')`;
  return rows.map((row) => row.id);
}
