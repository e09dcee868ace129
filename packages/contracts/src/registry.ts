import { AuditEntry, AuditPage, DeadLetter, LiveMessage } from "./audit.ts";
import { Problem } from "./common.ts";
import { DigestClaimed, DigestContents, DigestDue, InternalDigestDue, InternalDigestRefs } from "./digest.ts";
import { TaskEvent, TaskUpdate } from "./events.ts";
import {
  InternalOccurrenceLookup,
  InternalTaskCreate,
  OccurrenceLookup,
  ReminderWithOwner,
  TaskWithOwner,
} from "./internal.ts";
import { Preferences, PreferencesPatch } from "./preferences.ts";
import {
  InternalNotificationBatch,
  InternalNotificationCreate,
  Notification,
  NotificationBatchResult,
  NotificationPage,
  Reminder,
  ReminderCreate,
  ReminderEvent,
  ReminderSnooze,
} from "./reminders.ts";
import {
  InternalOccurrenceCreate,
  InternalSeriesEnd,
  OccurrencePreview,
  RecurrencePreview,
  SeriesEvent,
  SeriesView,
} from "./series.ts";
import { Tag, TagCreate, TagPatch } from "./tags.ts";
import { Task, TaskCreate, TaskPage, TaskPatch, TaskSeries } from "./tasks.ts";

/** The contracts published as JSON Schema files (packages/contracts/schemas). */
export const exportedSchemas = {
  Problem,
  Task,
  TaskCreate,
  TaskPatch,
  TaskPage,
  Tag,
  TagCreate,
  TagPatch,
  Preferences,
  PreferencesPatch,
  TaskEvent,
  TaskUpdate,
  TaskWithOwner,
  InternalTaskCreate,
  Reminder,
  ReminderCreate,
  ReminderSnooze,
  ReminderEvent,
  Notification,
  NotificationPage,
  InternalNotificationCreate,
  InternalNotificationBatch,
  NotificationBatchResult,
  ReminderWithOwner,
  InternalOccurrenceLookup,
  OccurrenceLookup,
  TaskSeries,
  RecurrencePreview,
  OccurrencePreview,
  SeriesView,
  InternalOccurrenceCreate,
  InternalSeriesEnd,
  SeriesEvent,
  AuditEntry,
  AuditPage,
  LiveMessage,
  DeadLetter,
  InternalDigestDue,
  DigestDue,
  InternalDigestRefs,
  DigestClaimed,
  DigestContents,
};
