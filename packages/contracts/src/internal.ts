import { type Static, Type } from "@sinclair/typebox";
import { Nullable, Text } from "./common.ts";
import { ReminderEmailLinks } from "./email.ts";
import { Reminder } from "./reminders.ts";
import { Task, TaskCreate } from "./tasks.ts";

/** The owner of a task as the email path needs them: where to, in which zone, and whether by email. */
const RecipientOwner = Type.Object({
  userId: Type.String(),
  timeZone: Type.String(),
  email: Nullable(Type.String()),
  /** False after an unsubscribe: in-app notifications only. */
  reminderEmails: Type.Optional(Type.Boolean()),
});

/** task-api's internal routes, reached only through Dapr service invocation. */
export const TaskWithOwner = Type.Object(
  {
    task: Task,
    owner: RecipientOwner,
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
    owner: RecipientOwner,
    /** The email's signed links (actions, settings, unsubscribe); null while it is not armed. */
    links: Type.Optional(Nullable(ReminderEmailLinks)),
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
