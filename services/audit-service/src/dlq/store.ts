import type { DeadLetter } from "@nudge/contracts";
import { type CloudEvent, publishEvent, type Sidecar } from "@nudge/dapr";
import type { Sql } from "@nudge/db";
import { reasonFor, topicOfType } from "./reason.ts";

export interface Parked {
  /** Dapr's Kafka consumer keeps the original record's metadata as headers of the parked copy. */
  originalTopic?: string;
  partitionKey?: string;
}

/**
 * Record one message from dlq-events, once per (original topic, event id). A message parked
 * again after a replay counts one more time; a redelivered copy of the same parking does not.
 */
export async function parkDeadLetter(sql: Sql, event: Record<string, unknown>, parked: Parked) {
  const eventId = String(event.id ?? "");
  const type = String(event.type ?? "");
  const topic = parked.originalTopic || topicOfType(type);
  const partitionKey = parked.partitionKey || (typeof event.subject === "string" ? event.subject : null);
  await sql`
    insert into dead_letters (topic, event_id, type, reason, partition_key, event)
    values (${topic}, ${eventId}, ${type}, ${reasonFor(event)}, ${partitionKey}, ${sql.json(event as never)})
    on conflict (topic, event_id) do update set
      times_parked = dead_letters.times_parked + (case when dead_letters.status = 'replayed' then 1 else 0 end),
      status = 'parked', replayed_at = null, parked_at = now(), reason = excluded.reason, event = excluded.event`;
}

interface Row {
  topic: string;
  event_id: string;
  type: string;
  reason: string;
  partition_key: string | null;
  status: "parked" | "replayed";
  times_parked: number;
  parked_at: Date;
  replayed_at: Date | null;
  event: unknown;
}

const toDeadLetter = (row: Row): DeadLetter => ({
  eventId: row.event_id,
  topic: row.topic,
  type: row.type,
  reason: row.reason,
  status: row.status,
  timesParked: row.times_parked,
  parkedAt: row.parked_at.toISOString(),
  replayedAt: row.replayed_at?.toISOString() ?? null,
  event: row.event,
});

export async function listDeadLetters(sql: Sql, status: "parked" | "replayed" | "all", limit: number) {
  const rows = await sql<Row[]>`
    select * from dead_letters ${status === "all" ? sql`` : sql`where status = ${status}`}
    order by parked_at desc limit ${limit}`;
  return rows.map(toDeadLetter);
}

/**
 * Publish parked messages back to their original topic, unchanged (same id: consumers that
 * handled it meanwhile skip it) with their partition key. Each record is claimed (parked →
 * replayed) before it is published and released again if publishing fails, so two operators
 * replaying at once, or one running the same replay twice, publish it once.
 */
export async function replayDeadLetters(sql: Sql, sidecar: Sidecar, which: { eventId?: string }) {
  const claimed = await sql<Row[]>`
    update dead_letters set status = 'replayed', replayed_at = now()
    where (topic, event_id) in (
      select topic, event_id from dead_letters where status = 'parked'
      ${which.eventId ? sql`and event_id = ${which.eventId}` : sql``}
      order by parked_at limit 1000 for update skip locked)
    returning *`;
  const replayed: string[] = [];
  for (const row of claimed) {
    try {
      await publishEvent(sidecar, row.topic, row.event as CloudEvent, {
        ...(row.partition_key ? { partitionKey: row.partition_key } : {}),
      });
      replayed.push(row.event_id);
    } catch (error) {
      await sql`
        update dead_letters set status = 'parked', replayed_at = null
        where topic = ${row.topic} and event_id = ${row.event_id} and status = 'replayed'`;
      throw error;
    }
  }
  return replayed;
}

/** Forget records: the replayed ones, or every one. Purging twice deletes nothing the second time. */
export async function purgeDeadLetters(sql: Sql, scope: "replayed" | "all") {
  const rows = await sql`
    delete from dead_letters ${scope === "all" ? sql`` : sql`where status = 'replayed'`} returning event_id`;
  return rows.length;
}
