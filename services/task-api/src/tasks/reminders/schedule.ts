import type { ReminderEventData } from "@nudge/contracts";
import type { Sql } from "@nudge/db";
import type { TransactionSql } from "postgres";
import { enqueueReminderEvents } from "../../outbox/enqueue.ts";
import type { Actor } from "../actor.ts";
import { nextFiring, REMINDER_SELECT, type ReminderRow, type Transition, transition } from "./model.ts";

/** Reminders matching `where` (over `r`, params from $1), oldest first, optionally row-locked. */
export function selectReminders(
  db: Sql | TransactionSql,
  where: string,
  params: unknown[],
  lock = false,
): Promise<ReminderRow[]> {
  return db.unsafe<ReminderRow[]>(
    `${REMINDER_SELECT} where ${where} order by r.created_at, r.id${lock ? " for update of r" : ""}`,
    params as never[],
  );
}

function eventData(row: ReminderRow, change: Transition): ReminderEventData {
  const cancelled = change.type === "reminder.cancelled";
  const at = cancelled ? change.previous.at : change.firesAt;
  return {
    schemaVersion: 1,
    reminderId: row.id,
    taskId: row.task_id,
    userId: row.user_id,
    at: at?.toISOString() ?? null,
    occurrenceKey: cancelled ? change.previous.occurrenceKey : change.occurrenceKey,
    ...(change.type === "reminder.rescheduled"
      ? { previousOccurrenceKey: change.previous.occurrenceKey }
      : {}),
  };
}

/**
 * Move each reminder to the occurrence `next` picks for it: store the new instant and key and
 * write one event per changed occurrence to the outbox, all in the caller's transaction. The
 * caller holds the task's row lock, so one task's events are queued in commit order.
 * Returns the rows as they now are.
 */
export async function moveOccurrences(
  tx: TransactionSql,
  actor: Actor,
  taskId: string,
  rows: ReminderRow[],
  next: (row: ReminderRow) => Date | null,
): Promise<ReminderRow[]> {
  const changes = rows.flatMap((row) => {
    const change = transition(row, next(row));
    return change ? [{ row, change }] : [];
  });
  if (!changes.length) return rows;
  await tx`
    update reminders r set fires_at = v.fires_at, occurrence_key = v.occurrence_key
    from unnest(${changes.map((c) => c.row.id)}::uuid[],
                ${changes.map((c) => c.change.firesAt?.toISOString() ?? null)}::timestamptz[],
                ${changes.map((c) => c.change.occurrenceKey)}::text[]) as v(id, fires_at, occurrence_key)
    where r.id = v.id`;
  await enqueueReminderEvents(
    tx,
    taskId,
    changes.map(({ row, change }) => ({ type: change.type, data: eventData(row, change) })),
    actor.trace,
  );
  const moved = new Map(changes.map(({ row, change }) => [row.id, change]));
  return rows.map((row) => {
    const change = moved.get(row.id);
    return change ? { ...row, fires_at: change.firesAt, occurrence_key: change.occurrenceKey } : row;
  });
}

/**
 * Reminders follow their task; call after the task row was changed (and while it is locked).
 * - "due": the due date or time zone changed: relative reminders move with it (a snooze still
 *   ahead keeps its instant; a new instant that has already passed disarms the reminder).
 * - "status": completing disarms every reminder; reopening re-arms those still ahead.
 * - "deleted": every armed reminder is cancelled (the rows go with the task).
 */
export async function followTask(
  tx: TransactionSql,
  actor: Actor,
  taskId: string,
  change: "due" | "status" | "deleted",
): Promise<void> {
  const relativeOnly = change === "due" ? " and r.before is not null" : "";
  const rows = await selectReminders(tx, `r.task_id = $1${relativeOnly}`, [taskId], true);
  if (!rows.length) return;
  const now = new Date();
  await moveOccurrences(tx, actor, taskId, rows, (row) =>
    change === "deleted"
      ? null
      : nextFiring({ nominal: row.nominal, snoozedUntil: row.snoozed_until }, row.task_open, now),
  );
}
