import { type Static, Type } from "@sinclair/typebox";
import { Nullable } from "./common.ts";

/**
 * The signed links task-api mints for one task in an email (reminder or digest). Each URL grants
 * one action on that task to its owner until it expires; GET shows a page, POST acts.
 */
export const TaskEmailLinks = Type.Object({
  done: Type.String(),
  snoozeHour: Type.String(),
  /** What the first snooze link's button says, e.g. "Snooze 1 hour" (EMAIL_SNOOZE_SECONDS). */
  snoozeLabel: Type.String(),
  snoozeTomorrow: Type.String(),
  open: Type.String(),
  /** An .ics of the due time; null when the task has no due date. */
  calendar: Nullable(Type.String()),
});
export type TaskEmailLinks = Static<typeof TaskEmailLinks>;

/** The links every email carries for its recipient: settings, and unsubscribe from this kind of email. */
export const MailingLinks = Type.Object({
  settings: Type.String(),
  /** RFC 8058 one-click target (POST) and the page a person sees (GET). */
  unsubscribe: Type.String(),
  /** The same grant, for the subject of a `mailto:` List-Unsubscribe. */
  unsubscribeToken: Type.String(),
});
export type MailingLinks = Static<typeof MailingLinks>;

export const ReminderEmailLinks = Type.Intersect([TaskEmailLinks, MailingLinks]);
export type ReminderEmailLinks = Static<typeof ReminderEmailLinks>;
