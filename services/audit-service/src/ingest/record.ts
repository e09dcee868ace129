import type { FieldChange, SeriesEvent, TaskEvent } from "@nudge/contracts";
import type { Sql } from "@nudge/db";
import { actorOf, seriesChanges, taskChanges } from "./changes.ts";

export type Outcome = "recorded" | "duplicate";

interface Row {
  eventId: string;
  type: string;
  taskId: string;
  userId: string;
  actor: string;
  occurredAt: string;
  version: number | null;
  changes: FieldChange[];
  event: unknown;
}

/**
 * Append one task event to the history, once: the event id is the primary key, so a redelivered
 * event adds nothing. The task's snapshot moves forward in the same transaction (never back: an
 * older event replayed from the dead-letter topic does not overwrite a newer state).
 */
export function recordTaskEvent(sql: Sql, event: TaskEvent): Promise<Outcome> {
  const { task, version } = event.data;
  return sql.begin(async (tx) => {
    const [previous] = await tx<{ version: number; snapshot: Record<string, unknown> }[]>`
      select version, snapshot from task_snapshots where task_id = ${task.id} for update`;
    const before = previous && previous.version < version ? previous.snapshot : null;
    const inserted = await insert(tx, {
      eventId: event.id,
      type: event.type as string,
      taskId: task.id,
      userId: task.userId,
      actor: actorOf(event),
      occurredAt: event.time,
      version,
      changes: taskChanges(event, before),
      event,
    });
    if (!inserted) return "duplicate";
    if (event.type === "task.deleted") {
      // Nothing follows a deletion: keep the snapshot table as small as the set of live tasks.
      await tx`delete from task_snapshots where task_id = ${task.id}`;
    } else {
      await tx`
        insert into task_snapshots (task_id, version, snapshot) values (${task.id}, ${version}, ${tx.json(task as never)})
        on conflict (task_id) do update set version = excluded.version, snapshot = excluded.snapshot
        where task_snapshots.version < excluded.version`;
    }
    return "recorded";
  });
}

/** A series event joins the history of the task it follows (`previousTaskId`). */
export async function recordSeriesEvent(sql: Sql, event: SeriesEvent): Promise<Outcome> {
  const inserted = await insert(sql, {
    eventId: event.id,
    type: event.type as string,
    taskId: event.data.previousTaskId,
    userId: event.data.userId,
    actor: "recurrence-service",
    occurredAt: event.time,
    version: null,
    changes: seriesChanges(event),
    event,
  });
  return inserted ? "recorded" : "duplicate";
}

async function insert(tx: Sql | import("postgres").TransactionSql, row: Row): Promise<boolean> {
  const rows = await tx`
    insert into audit_events (event_id, type, task_id, user_id, actor, occurred_at, version, changes, event)
    values (${row.eventId}, ${row.type}, ${row.taskId}, ${row.userId}, ${row.actor}, ${row.occurredAt},
            ${row.version}, ${tx.json(row.changes as never)}, ${tx.json(row.event as never)})
    on conflict (event_id) do nothing returning event_id`;
  return rows.length === 1;
}
