import { RRule } from "rrule";
import { instantOf, type WallClock, wallClockOf } from "./zoned.ts";

/**
 * rrule evaluates rules on "floating" dates: a Date whose UTC fields are the wall clock. That is
 * exactly RFC 5545's local-time semantics — "09:00 every day" stays 09:00 across DST — as long
 * as every date going in is converted to the zone's wall clock and every result back to an
 * instant (zoned.ts, with its gap and overlap rules).
 */
const floating = (w: WallClock) => new Date(Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second));
const wallOfFloating = (d: Date): WallClock => ({
  year: d.getUTCFullYear(),
  month: d.getUTCMonth() + 1,
  day: d.getUTCDate(),
  hour: d.getUTCHours(),
  minute: d.getUTCMinutes(),
  second: d.getUTCSeconds(),
});

export interface Series {
  /** Normalized RRULE text without DTSTART, e.g. FREQ=WEEKLY;BYDAY=MO,TH. */
  rule: string;
  /** DTSTART: the series' first due instant. */
  anchor: Date;
  timeZone: string;
}

function ruleFor(series: Series, dtstart: Date): RRule {
  const options = RRule.parseString(series.rule);
  // UNTIL is a UTC instant in RFC 5545; on floating dates it must be the zone's wall clock too.
  if (options.until) options.until = floating(wallClockOf(options.until, series.timeZone));
  return new RRule({ ...options, dtstart });
}

/** The series' first occurrence strictly after `after`, or null when the series has ended. */
export function nextOccurrenceAfter(series: Series, after: Date): Date | null {
  const rule = ruleFor(series, floating(wallClockOf(series.anchor, series.timeZone)));
  const next = rule.after(floating(wallClockOf(after, series.timeZone)), false);
  return next ? instantOf(wallOfFloating(next), series.timeZone) : null;
}

/** The next `count` occurrences after `after` (a preview; nothing is created). */
export function upcomingOccurrences(series: Series, after: Date, count: number): Date[] {
  const result: Date[] = [];
  let cursor = after;
  while (result.length < count) {
    const next = nextOccurrenceAfter(series, cursor);
    if (!next) break;
    result.push(next);
    cursor = next;
  }
  return result;
}

export interface NextDueOptions {
  /** "due": from the current due date (default); "completion": from when it was completed. */
  mode?: "due" | "completion";
  /** Skip occurrences already in the past at `now` (a long-overdue daily task yields tomorrow). */
  skipMissed?: boolean;
}

/**
 * When the task completed at `completedAt` (due at `currentDue`) is due next, or null when the
 * series is exhausted. From completion, the rule restarts at the completion instant.
 */
export function nextDue(
  series: Series,
  currentDue: Date,
  completedAt: Date,
  now: Date,
  options: NextDueOptions = {},
): Date | null {
  let next: Date | null;
  if (options.mode === "completion") {
    // The rule restarts on the completion day at the series' time of day, and the next due is
    // the restart's first occurrence after it: "every 3 days" completed on the 20th — at 08:00
    // or at 20:00 — is next due on the 23rd. (COUNT then counts from that restart.)
    const day = wallClockOf(completedAt, series.timeZone);
    const time = wallClockOf(series.anchor, series.timeZone);
    const restart = instantOf(
      { ...day, hour: time.hour, minute: time.minute, second: time.second },
      series.timeZone,
    );
    next = nextOccurrenceAfter({ ...series, anchor: restart }, restart);
  } else {
    next = nextOccurrenceAfter(series, currentDue);
  }
  if (options.skipMissed) {
    while (next && next <= now) next = nextOccurrenceAfter(series, next);
  }
  return next;
}
