import { type Static, Type } from "@sinclair/typebox";
import { Id, Instant, Int32, Nullable, TimeZone } from "./common.ts";
import { CloudEventOf } from "./events.ts";
import { RecurrenceMode, Rrule, Task } from "./tasks.ts";

/** `GET /recurrence/preview`: a rule's next instants, nothing created. */
export const RecurrencePreviewQuery = Type.Object(
  {
    rule: Rrule,
    tz: Type.Optional(TimeZone),
    start: Type.Optional(Instant),
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10 })),
  },
  { additionalProperties: false, $id: "RecurrencePreviewQuery" },
);
export type RecurrencePreviewQuery = Static<typeof RecurrencePreviewQuery>;

export const RecurrencePreview = Type.Object(
  {
    rule: Type.String({ description: "The normalized RRULE." }),
    description: Type.String({
      description: 'What the rule means, in English: "every week on Monday at 9:00".',
    }),
    from: Type.Union([Type.Literal("rrule"), Type.Literal("text")]),
    timeZone: Type.String(),
    start: Instant,
    occurrences: Type.Array(Instant),
  },
  { $id: "RecurrencePreview" },
);
export type RecurrencePreview = Static<typeof RecurrencePreview>;

/** `GET /tasks/{id}/occurrences`: the series' next due dates after this task's. */
export const OccurrencePreview = Type.Object(
  {
    taskId: Id,
    seriesId: Id,
    rule: Type.String(),
    timeZone: Type.String(),
    occurrences: Type.Array(Type.Object({ occurrenceIndex: Int32({ minimum: 1 }), dueAt: Instant })),
  },
  { $id: "OccurrencePreview" },
);
export type OccurrencePreview = Static<typeof OccurrencePreview>;

/** A series as the nextOccurrence workflow reads it (internal). */
export const SeriesView = Type.Object(
  {
    id: Id,
    userId: Type.String(),
    rule: Type.String(),
    anchor: Instant,
    timeZone: Type.String(),
    mode: RecurrenceMode,
    skipMissed: Type.Boolean(),
    stoppedAt: Nullable(Instant),
    endedAt: Nullable(Instant),
  },
  { $id: "SeriesView" },
);
export type SeriesView = Static<typeof SeriesView>;

/** Create occurrence `occurrenceIndex` of a series, once: the pair is unique. */
export const InternalOccurrenceCreate = Type.Object(
  {
    occurrenceIndex: Int32({ minimum: 1 }),
    dueAt: Instant,
    previousTaskId: Id,
  },
  { additionalProperties: false, $id: "InternalOccurrenceCreate" },
);
export type InternalOccurrenceCreate = Static<typeof InternalOccurrenceCreate>;

export const InternalSeriesEnd = Type.Object(
  { lastTaskId: Id },
  { additionalProperties: false, $id: "InternalSeriesEnd" },
);
export type InternalSeriesEnd = Static<typeof InternalSeriesEnd>;

export const SERIES_EVENT_TYPES = ["task.recurring.next_created", "task.recurring.ended"] as const;
export type SeriesEventType = (typeof SERIES_EVENT_TYPES)[number];

/** On `task-events`, beside the task events: a series grew by one task, or ended. */
export const SeriesEventData = Type.Object({
  schemaVersion: Type.Literal(1),
  seriesId: Id,
  userId: Type.String(),
  previousTaskId: Id,
  /** next_created: the new task's index; ended: the last task's index. */
  occurrenceIndex: Int32({ minimum: 0 }),
  /** next_created: the new task. */
  task: Type.Optional(Task),
  /** ended: "exhausted" (COUNT/UNTIL reached) or "stopped" (by the user). */
  reason: Type.Optional(Type.Union([Type.Literal("exhausted"), Type.Literal("stopped")])),
});
export type SeriesEventData = Static<typeof SeriesEventData>;

export const SeriesEvent = CloudEventOf(
  Type.Union([Type.Literal("task.recurring.next_created"), Type.Literal("task.recurring.ended")]),
  SeriesEventData,
  "SeriesEvent",
);
export type SeriesEvent = Static<typeof SeriesEvent>;
