import {
  type ReminderEventData,
  type ReminderEventType,
  type SeriesEventData,
  type SeriesEventType,
  type Task,
  type TaskEventData,
  type TaskEventType,
  type TaskUpdateData,
  TOPICS,
} from "@nudge/contracts";
import type { Sql } from "@nudge/db";
import type { TraceContext } from "@nudge/http";

export const OUTBOX_CHANNEL = "nudge_outbox";
const SOURCE = "/task-api";

type Tx = Sql | import("postgres").TransactionSql;

export interface TaskChange {
  type: TaskEventType;
  task: Task;
  userId: string;
  changedFields: string[];
  trace?: TraceContext;
}

/**
 * Record a task change in the outbox, inside the caller's transaction: the full snapshot on
 * task-events and the slim projection on task-updates. The relay publishes them after commit;
 * the NOTIFY (delivered only on commit) wakes it at once.
 */
export async function enqueueTaskChange(tx: Tx, change: TaskChange): Promise<void> {
  const time = new Date().toISOString();
  const { task } = change;
  const full: TaskEventData = {
    schemaVersion: 2,
    task: { ...task, userId: change.userId },
    changedFields: change.changedFields,
    version: task.version,
  };
  const fullEnvelope = envelope(TOPICS.taskEvents, change.type, task.id, time, full, change.trace);
  const slim: TaskUpdateData = {
    schemaVersion: 2,
    eventId: fullEnvelope.id,
    taskId: task.id,
    userId: change.userId,
    change: change.type,
    version: task.version,
    title: task.title,
    status: task.status,
    priority: task.priority,
    dueAt: task.dueAt,
    updatedAt: task.updatedAt,
  };
  await queue(tx, [
    fullEnvelope,
    envelope(TOPICS.taskUpdates, "task.changed", task.id, time, slim, change.trace),
  ]);
}

/**
 * Record reminder occurrence changes on `reminders`, inside the caller's transaction. The
 * partition key is the task id, so one task's task and reminder events keep their order; the
 * subject is the reminder id.
 */
export async function enqueueReminderEvents(
  tx: Tx,
  taskId: string,
  events: Array<{ type: ReminderEventType; data: ReminderEventData }>,
  trace?: TraceContext,
): Promise<void> {
  if (!events.length) return;
  const time = new Date().toISOString();
  await queue(
    tx,
    events.map(({ type, data }) =>
      envelope(TOPICS.reminders, type, data.reminderId, time, data, trace, taskId),
    ),
  );
}

/**
 * Record a series event on `task-events`, inside the caller's transaction, keyed like the task
 * it is about so it follows that task's own events.
 */
export async function enqueueSeriesEvent(
  tx: Tx,
  type: SeriesEventType,
  data: SeriesEventData,
  taskId: string,
  trace?: TraceContext,
): Promise<void> {
  const time = new Date().toISOString();
  await queue(tx, [envelope(TOPICS.taskEvents, type, data.seriesId, time, data, trace, taskId)]);
}

async function queue(tx: Tx, rows: ReturnType<typeof envelope>[]): Promise<void> {
  // One round trip: the rows and the NOTIFY (a data-modifying CTE always runs).
  await tx`
    with queued as (
      insert into outbox ${tx(
        rows.map((row) => ({ ...row, event: tx.json(row.event as never) })),
        "id",
        "topic",
        "partition_key",
        "event",
      )}
    )
    select pg_notify(${OUTBOX_CHANNEL}, '')`;
}

function envelope(
  topic: string,
  type: string,
  subject: string,
  time: string,
  data: unknown,
  trace: TraceContext = {},
  partitionKey = subject,
) {
  // UUIDv7: unique like any UUID, and sortable by creation time for operators reading the table.
  const id = Bun.randomUUIDv7();
  const event = {
    specversion: "1.0",
    id,
    type,
    source: SOURCE,
    subject,
    time,
    datacontenttype: "application/json",
    // Validated at the edge; the CloudEvents distributed-tracing attributes.
    ...(trace.traceparent ? { traceparent: trace.traceparent } : {}),
    ...(trace.tracestate ? { tracestate: trace.tracestate } : {}),
    data,
  };
  return { id, topic, partition_key: partitionKey, event };
}
