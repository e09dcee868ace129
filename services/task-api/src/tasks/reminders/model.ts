import type { Reminder, ReminderEventType } from "@nudge/contracts";
import { invalid } from "@nudge/http";

/** A reminder row as selected by REMINDER_SELECT, with what its task says about it. */
export interface ReminderRow {
  id: string;
  task_id: string;
  user_id: string;
  at: Date | null;
  before_days: number | null;
  before_seconds: number | null;
  snoozed_until: Date | null;
  fires_at: Date | null;
  occurrence_key: string | null;
  created_at: Date;
  /** `at`, or the task's due date minus `before`; null for a relative reminder without a due date. */
  nominal: Date | null;
  task_open: boolean;
}

/**
 * Reminders joined with their task. `before` is split into calendar days and exact seconds:
 * "P1D before" is the same wall-clock time one day earlier in the task's time zone (across a
 * DST change too), while "PT24H before" is exactly 24 hours earlier.
 */
export const REMINDER_SELECT = `
  select r.id, r.task_id, r.user_id, r.at, r.snoozed_until, r.fires_at, r.occurrence_key, r.created_at,
    extract(day from r.before)::int as before_days,
    extract(epoch from r.before - date_trunc('day', r.before))::int as before_seconds,
    coalesce(r.at, (((t.due_at at time zone t.time_zone) - date_trunc('day', r.before)) at time zone t.time_zone)
                   - (r.before - date_trunc('day', r.before))) as nominal,
    t.status = 'open' as task_open
  from reminders r join tasks t on t.id = r.task_id`;

/** Reminders and snoozes reach at most this far (a year) from their reference instant. */
export const MAX_DURATION_SECONDS = 366 * 86_400;

export interface Duration {
  days: number;
  seconds: number;
}

const DURATION = /^P(?!$)(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/** An ISO 8601 duration (weeks, days, hours, minutes, seconds) within MAX_DURATION_SECONDS. */
export function parseDuration(text: string, field: string): Duration {
  const match = DURATION.exec(text);
  if (!match) throw invalid(field, "must be an ISO 8601 duration such as PT15M, P1D or P1DT2H");
  const [weeks, days, hours, minutes, seconds] = match.slice(1).map((part) => Number(part ?? 0)) as number[];
  const duration = {
    days: (weeks as number) * 7 + (days as number),
    seconds: (hours as number) * 3600 + (minutes as number) * 60 + (seconds as number),
  };
  if (duration.days * 86_400 + duration.seconds > MAX_DURATION_SECONDS) {
    throw invalid(field, "must be at most 366 days");
  }
  return duration;
}

/** The canonical spelling of a stored duration: P9D, PT1H30M, P1DT2H, PT0S. */
export function formatDuration({ days, seconds }: Duration): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const time = `${h ? `${h}H` : ""}${m ? `${m}M` : ""}${s ? `${s}S` : ""}`;
  if (!days && !time) return "PT0S";
  return `P${days ? `${days}D` : ""}${time ? `T${time}` : ""}`;
}

/** Deterministic: the same reminder armed for the same instant always has the same key. */
export const occurrenceKeyOf = (reminderId: string, firesAt: Date) => `${reminderId}:${firesAt.getTime()}`;

/**
 * The instant a reminder should fire next, or null (disarmed): never while its task is
 * completed; a snooze still ahead wins over the reminder's own instant; an instant that has
 * already passed is not armed again.
 */
export function nextFiring(
  reminder: { nominal: Date | null; snoozedUntil: Date | null },
  taskOpen: boolean,
  now: Date,
): Date | null {
  if (!taskOpen) return null;
  const instant =
    reminder.snoozedUntil && reminder.snoozedUntil > now ? reminder.snoozedUntil : reminder.nominal;
  return instant && instant > now ? instant : null;
}

export interface Transition {
  type: Exclude<ReminderEventType, "reminder.sent" | "reminder.failed">;
  firesAt: Date | null;
  occurrenceKey: string | null;
  /** The instant and key being replaced or disarmed. */
  previous: { at: Date | null; occurrenceKey: string | null };
}

/**
 * What moving a reminder from its current occurrence to `next` means, or undefined when the
 * occurrence stays the same. Every change of occurrence is exactly one event.
 */
export function transition(
  reminder: { id: string; fires_at: Date | null; occurrence_key: string | null },
  next: Date | null,
): Transition | undefined {
  const occurrenceKey = next ? occurrenceKeyOf(reminder.id, next) : null;
  if (occurrenceKey === reminder.occurrence_key) return undefined;
  const previous = { at: reminder.fires_at, occurrenceKey: reminder.occurrence_key };
  const type = !occurrenceKey
    ? "reminder.cancelled"
    : reminder.occurrence_key
      ? "reminder.rescheduled"
      : "reminder.scheduled";
  return { type, firesAt: next, occurrenceKey, previous };
}

export function toReminder(row: ReminderRow): Reminder {
  return {
    id: row.id,
    taskId: row.task_id,
    at: row.at?.toISOString() ?? null,
    before:
      row.before_days === null
        ? null
        : formatDuration({ days: row.before_days, seconds: row.before_seconds ?? 0 }),
    firesAt: row.fires_at?.toISOString() ?? null,
    occurrenceKey: row.occurrence_key,
    createdAt: row.created_at.toISOString(),
  };
}
