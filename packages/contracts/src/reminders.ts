import { type Static, Type } from "@sinclair/typebox";
import { Id, Instant, Nullable, Text } from "./common.ts";
import { CloudEventOf } from "./events.ts";

/** ISO 8601 duration for reminders relative to the due date, e.g. PT15M, P1D, P1DT2H. */
export const IsoDuration = Type.String({
  pattern: "^P(?!$)(\\d+W)?(\\d+D)?(T(?=\\d)(\\d+H)?(\\d+M)?(\\d+S)?)?$",
  maxLength: 40,
  description: "ISO 8601 duration such as PT15M, P1D or P1DT2H.",
});

/** Absolute (`at`) or relative to the task's due date (`before`); exactly one. */
export const ReminderCreate = Type.Union(
  [
    Type.Object({ at: Instant }, { additionalProperties: false }),
    Type.Object({ before: IsoDuration }, { additionalProperties: false }),
  ],
  { $id: "ReminderCreate" },
);
export type ReminderCreate = Static<typeof ReminderCreate>;

export const ReminderSnooze = Type.Union(
  [
    Type.Object({ until: Instant }, { additionalProperties: false }),
    Type.Object({ for: IsoDuration }, { additionalProperties: false }),
  ],
  { $id: "ReminderSnooze" },
);
export type ReminderSnooze = Static<typeof ReminderSnooze>;

export const Reminder = Type.Object(
  {
    id: Id,
    taskId: Id,
    at: Nullable(Instant),
    before: Nullable(Type.String()),
    /** The instant it fires next (null when the task is done or a relative reminder has no due date). */
    firesAt: Nullable(Instant),
    /** Changes whenever firesAt changes; one Dapr job and at most one email per occurrence. */
    occurrenceKey: Nullable(Type.String()),
    createdAt: Instant,
  },
  { $id: "Reminder" },
);
export type Reminder = Static<typeof Reminder>;

export const REMINDER_EVENT_TYPES = [
  "reminder.scheduled",
  "reminder.rescheduled",
  "reminder.cancelled",
  "reminder.sent",
  "reminder.failed",
] as const;
export type ReminderEventType = (typeof REMINDER_EVENT_TYPES)[number];

/**
 * On `reminders`. scheduled/rescheduled carry the occurrence to arm (and, when rescheduled, the
 * one it replaces); cancelled the occurrence to disarm; sent/failed report a delivery.
 */
export const ReminderEventData = Type.Object({
  schemaVersion: Type.Literal(1),
  reminderId: Id,
  taskId: Id,
  userId: Type.String(),
  /** The instant, RFC 3339 with offset. */
  at: Nullable(Instant),
  occurrenceKey: Nullable(Type.String()),
  previousOccurrenceKey: Type.Optional(Nullable(Type.String())),
  /** sent: the provider's message id; failed: the reason. */
  messageId: Type.Optional(Type.String()),
  /** sent: how it reached the user — by email (and in-app), or in-app only (emails are off). */
  channel: Type.Optional(Type.Union([Type.Literal("email"), Type.Literal("in-app")])),
  reason: Type.Optional(Type.String()),
});
export type ReminderEventData = Static<typeof ReminderEventData>;

export const ReminderEvent = CloudEventOf(
  Type.Union([
    Type.Literal("reminder.scheduled"),
    Type.Literal("reminder.rescheduled"),
    Type.Literal("reminder.cancelled"),
    Type.Literal("reminder.sent"),
    Type.Literal("reminder.failed"),
  ]),
  ReminderEventData,
  "ReminderEvent",
);
export type ReminderEvent = Static<typeof ReminderEvent>;

export const Notification = Type.Object(
  {
    id: Id,
    taskId: Nullable(Id),
    reminderId: Nullable(Id),
    title: Type.String(),
    body: Type.String(),
    createdAt: Instant,
    readAt: Nullable(Instant),
  },
  { $id: "Notification" },
);
export type Notification = Static<typeof Notification>;

export const NotificationPage = Type.Object(
  {
    items: Type.Array(Notification),
    unreadCount: Type.Integer({ minimum: 0 }),
    nextCursor: Nullable(Type.String()),
  },
  { $id: "NotificationPage" },
);

/** notification-service → task-api (internal): record the in-app notification of a delivery, once. */
export const InternalNotificationCreate = Type.Object(
  {
    /** The delivery's workflow instance id: the same id never creates a second notification. */
    deliveryId: Text({ minLength: 1, maxLength: 200 }),
    userId: Text({ minLength: 1, maxLength: 200 }),
    taskId: Id,
    reminderId: Id,
    title: Text({ maxLength: 500 }),
    body: Text({ maxLength: 2000 }),
  },
  { additionalProperties: false, $id: "InternalNotificationCreate" },
);
export type InternalNotificationCreate = Static<typeof InternalNotificationCreate>;

/** notification-service → task-api (internal): a chunk's in-app notifications in one call. */
export const InternalNotificationBatch = Type.Object(
  { notifications: Type.Array(InternalNotificationCreate, { minItems: 1, maxItems: 100 }) },
  { additionalProperties: false, $id: "InternalNotificationBatch" },
);
export type InternalNotificationBatch = Static<typeof InternalNotificationBatch>;

/** How many of a batch were new; repeats of a deliveryId are not counted, and change nothing. */
export const NotificationBatchResult = Type.Object(
  { created: Type.Integer({ minimum: 0 }), repeated: Type.Integer({ minimum: 0 }) },
  { $id: "NotificationBatchResult" },
);
export type NotificationBatchResult = Static<typeof NotificationBatchResult>;
