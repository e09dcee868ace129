import { type Static, Type } from "@sinclair/typebox";
import { IDEMPOTENCY_KEY_PATTERN, Nullable, Text } from "./common.ts";
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
    idempotencyKey: Type.String({ pattern: IDEMPOTENCY_KEY_PATTERN }),
    task: TaskCreate,
  },
  { additionalProperties: false, $id: "InternalTaskCreate" },
);
export type InternalTaskCreate = Static<typeof InternalTaskCreate>;

/** At most this many occurrences or notifications per batched internal call (one email chunk). */
export const MAX_INTERNAL_BATCH = 100;

/** One reminder occurrence, as notification-service armed it. */
export const OccurrenceRef = Type.Object(
  {
    reminderId: Type.String({ format: "uuid" }),
    occurrenceKey: Text({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);

/** notification-service → task-api: look up a chunk's occurrences in one call. */
export const InternalOccurrenceLookup = Type.Object(
  { occurrences: Type.Array(OccurrenceRef, { minItems: 1, maxItems: MAX_INTERNAL_BATCH }) },
  { additionalProperties: false, $id: "InternalOccurrenceLookup" },
);
export type InternalOccurrenceLookup = Static<typeof InternalOccurrenceLookup>;

/**
 * What task-api knows now about each looked-up occurrence, in request order: the reminder's
 * current occurrence key, its task and its owner (all null when the reminder or its task is
 * gone). notification-service decides from it whether the occurrence is still wanted.
 */
export const OccurrenceLookup = Type.Object(
  {
    items: Type.Array(
      Type.Object({
        reminderId: Type.String(),
        occurrenceKey: Type.String(),
        currentOccurrenceKey: Nullable(Type.String()),
        task: Nullable(
          Type.Object({
            id: Type.String(),
            title: Type.String(),
            status: Type.String(),
            priority: Type.String(),
            dueAt: Nullable(Type.String()),
          }),
        ),
        owner: Nullable(RecipientOwner),
        /** The email's signed links for the current occurrence; null when the reminder is not armed. */
        links: Type.Optional(Nullable(ReminderEmailLinks)),
      }),
    ),
  },
  { $id: "OccurrenceLookup" },
);
export type OccurrenceLookup = Static<typeof OccurrenceLookup>;
