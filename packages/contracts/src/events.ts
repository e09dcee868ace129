import { type Static, type TSchema, Type } from "@sinclair/typebox";
import { Id, Instant, Nullable } from "./common.ts";
import { Priority, Task, TaskStatus } from "./tasks.ts";

/**
 * Integration events. Changes are additive only: a new field is optional for consumers, a new
 * meaning gets a new type. `schemaVersion` is bumped when a field is added.
 */
export const TaskEventTypeSchema = Type.Union([
  Type.Literal("task.created"),
  Type.Literal("task.updated"),
  Type.Literal("task.completed"),
  Type.Literal("task.reopened"),
  Type.Literal("task.deleted"),
]);
export const TASK_EVENT_TYPES = [
  "task.created",
  "task.updated",
  "task.completed",
  "task.reopened",
  "task.deleted",
] as const;
export type TaskEventType = (typeof TASK_EVENT_TYPES)[number];

export const TOPICS = {
  taskEvents: "task-events",
  taskUpdates: "task-updates",
  reminders: "reminders",
  dlq: "dlq-events",
} as const;

/** The CloudEvents 1.0 envelope every Nudge event travels in. */
export const CloudEventOf = <T extends TSchema>(type: TSchema, data: T, $id: string) =>
  Type.Object(
    {
      specversion: Type.Literal("1.0"),
      id: Id,
      type,
      source: Type.String({ pattern: "^/" }),
      subject: Type.String(),
      time: Instant,
      datacontenttype: Type.Literal("application/json"),
      traceparent: Type.Optional(Type.String()),
      tracestate: Type.Optional(Type.String()),
      data,
    },
    { $id },
  );

/** On `task-events`: the whole task after the change, so consumers never need to call back. */
export const TaskEventData = Type.Object({
  /** 2: the task carries `series` (recurring tasks). */
  schemaVersion: Type.Literal(2),
  task: Type.Composite([Task, Type.Object({ userId: Type.String() })]),
  changedFields: Type.Array(Type.String()),
  version: Type.Integer({ minimum: 1 }),
});
export type TaskEventData = Static<typeof TaskEventData>;

export const TaskEvent = CloudEventOf(TaskEventTypeSchema, TaskEventData, "TaskEvent");
export type TaskEvent = Static<typeof TaskEvent>;

/** On `task-updates`: the slim projection live clients render from. */
export const TaskUpdateData = Type.Object({
  /** 2: `eventId` added. */
  schemaVersion: Type.Union([Type.Literal(1), Type.Literal(2)]),
  /**
   * The id of the task-events event of the same change: the key of audit-service's history, so
   * realtime clients resume from the last id they saw.
   */
  eventId: Type.Optional(Id),
  taskId: Id,
  userId: Type.String(),
  change: TaskEventTypeSchema,
  version: Type.Integer({ minimum: 1 }),
  title: Type.String(),
  status: TaskStatus,
  priority: Priority,
  dueAt: Nullable(Instant),
  updatedAt: Instant,
});
export type TaskUpdateData = Static<typeof TaskUpdateData>;

export const TaskUpdate = CloudEventOf(Type.Literal("task.changed"), TaskUpdateData, "TaskUpdate");
export type TaskUpdate = Static<typeof TaskUpdate>;
