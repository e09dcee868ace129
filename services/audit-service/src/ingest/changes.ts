import type { FieldChange, SeriesEvent, TaskEvent } from "@nudge/contracts";

type Snapshot = Record<string, unknown>;

/** What a created task's history shows when the event names no fields: the ones a user sets. */
const CREATED_FIELDS = [
  "title",
  "description",
  "priority",
  "status",
  "dueAt",
  "timeZone",
  "tags",
  "recurrence",
];

/**
 * Before/after values of a task event's changed fields. The event carries the task after the
 * change; `previous` is the snapshot of the event before it (null when unknown: the first
 * event seen for the task, or one older than the snapshot).
 */
export function taskChanges(event: TaskEvent, previous: Snapshot | null): FieldChange[] {
  const after = event.data.task as unknown as Snapshot;
  const fields =
    event.type === "task.created" && event.data.changedFields.length === 0
      ? CREATED_FIELDS.filter((field) => field in after)
      : event.data.changedFields;
  return fields.map((field) => ({
    field,
    before: event.type === "task.created" ? null : (previous?.[field] ?? null),
    after: after[field] ?? null,
  }));
}

/** A series event is history of the task it follows: what the series did next. */
export function seriesChanges(event: SeriesEvent): FieldChange[] {
  return event.type === "task.recurring.next_created"
    ? [{ field: "nextTaskId", before: null, after: event.data.task?.id ?? null }]
    : [{ field: "seriesEnded", before: null, after: event.data.reason ?? null }];
}

/**
 * Who made the change. Only a task's owner can change it through the API, so that is the actor,
 * except for the next occurrence of a series, which recurrence-service creates.
 */
export function actorOf(event: TaskEvent): string {
  const { task } = event.data;
  if (event.type === "task.created" && task.series && task.series.occurrenceIndex > 1)
    return "recurrence-service";
  return task.userId;
}
