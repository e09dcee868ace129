import { type Static, Type } from "@sinclair/typebox";
import { Nullable, Text } from "./common.ts";
import { Reminder } from "./reminders.ts";
import { Task, TaskCreate } from "./tasks.ts";

/** task-api's internal routes, reached only through Dapr service invocation. */
export const TaskWithOwner = Type.Object(
  {
    task: Task,
    owner: Type.Object({ userId: Type.String(), timeZone: Type.String(), email: Nullable(Type.String()) }),
  },
  { $id: "TaskWithOwner" },
);
export type TaskWithOwner = Static<typeof TaskWithOwner>;

/**
 * A reminder with its task and owner, for the delivery workflow: the occurrence is still current
 * when the task is open and `reminder.occurrenceKey` equals the one the job was armed for.
 */
export const ReminderWithOwner = Type.Object(
  {
    reminder: Reminder,
    task: Task,
    owner: Type.Object({ userId: Type.String(), timeZone: Type.String(), email: Nullable(Type.String()) }),
  },
  { $id: "ReminderWithOwner" },
);
export type ReminderWithOwner = Static<typeof ReminderWithOwner>;

export const InternalTaskCreate = Type.Object(
  {
    userId: Text({ minLength: 1, maxLength: 200 }),
    /** e.g. series id + occurrence index: the same key never creates a second task. */
    idempotencyKey: Text({ minLength: 1, maxLength: 200 }),
    task: TaskCreate,
  },
  { additionalProperties: false, $id: "InternalTaskCreate" },
);
export type InternalTaskCreate = Static<typeof InternalTaskCreate>;
