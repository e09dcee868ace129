/**
 * Proleptic Gregorian calendar arithmetic on day numbers (days since 1970-01-01) and "floating"
 * seconds (a wall-clock time counted as if it were UTC). Pure integer arithmetic, no Date: the
 * engine calls these millions of times, and Date objects are both slower and easy to misuse.
 */

export const SECONDS_PER_DAY = 86_400;

/** Weekdays as RFC 5545 spells them, Monday first (index 0), as WKST and ISO 8601 count. */
export const WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"] as const;
export type WeekdayName = (typeof WEEKDAYS)[number];

export interface CivilDate {
  year: number;
  month: number; // 1–12
  day: number; // 1–31
}

const floorDiv = (a: number, b: number) => Math.floor(a / b);
export const mod = (a: number, b: number) => ((a % b) + b) % b;

/** Day number of a civil date (Howard Hinnant's days_from_civil). */
export function dayNumber(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = floorDiv(y, 400);
  const yoe = y - era * 400;
  const mp = mod(month + 9, 12);
  const doy = floorDiv(153 * mp + 2, 5) + day - 1;
  const doe = yoe * 365 + floorDiv(yoe, 4) - floorDiv(yoe, 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** Civil date of a day number (civil_from_days). */
export function civil(days: number): CivilDate {
  const z = days + 719_468;
  const era = floorDiv(z, 146_097);
  const doe = z - era * 146_097;
  const yoe = floorDiv(doe - floorDiv(doe, 1460) + floorDiv(doe, 36_524) - floorDiv(doe, 146_096), 365);
  const doy = doe - (365 * yoe + floorDiv(yoe, 4) - floorDiv(yoe, 100));
  const mp = floorDiv(5 * doy + 2, 153);
  const day = doy - floorDiv(153 * mp + 2, 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday). */
export const weekdayOf = (days: number) => mod(days + 3, 7);

export const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

const MONTH_LENGTHS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
export const monthLength = (year: number, month: number) =>
  month === 2 && isLeapYear(year) ? 29 : (MONTH_LENGTHS[month - 1] as number);
export const yearLength = (year: number) => (isLeapYear(year) ? 366 : 365);

/** The longest each month can be (February in a leap year): what a rule can ever ask for. */
export const MAX_MONTH_LENGTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * The first day of week 1 of `year` with weeks starting on `wkst`: week 1 is the first week with
 * at least four days in the year (RFC 5545 §3.3.10, as ISO 8601 with WKST in place of Monday).
 */
export function firstWeekStart(year: number, wkst: number): number {
  const jan1 = dayNumber(year, 1, 1);
  const start = jan1 - mod(weekdayOf(jan1) - wkst, 7); // the week holding January 1st
  return jan1 - start <= 3 ? start : start + 7;
}

/**
 * A day's week number in its week-numbering year, and how many weeks that year has, so that
 * negative BYWEEKNO values (-1 = the last week) can be matched too.
 */
export function weekNumber(days: number, wkst: number): { week: number; weeks: number } {
  const { year } = civil(days);
  let weekYear = year + 1;
  let start = firstWeekStart(weekYear, wkst);
  if (days < start) {
    weekYear = year;
    start = firstWeekStart(weekYear, wkst);
    if (days < start) {
      weekYear = year - 1;
      start = firstWeekStart(weekYear, wkst);
    }
  }
  const weeks = (firstWeekStart(weekYear + 1, wkst) - start) / 7;
  return { week: floorDiv(days - start, 7) + 1, weeks };
}

/** Floating seconds ↔ fields. */
export const floatingOf = (days: number, hour: number, minute: number, second: number) =>
  days * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second;

export interface WallTime {
  days: number;
  hour: number;
  minute: number;
  second: number;
}

export function wallTimeOf(floating: number): WallTime {
  const days = floorDiv(floating, SECONDS_PER_DAY);
  const rest = floating - days * SECONDS_PER_DAY;
  return { days, hour: floorDiv(rest, 3600), minute: floorDiv(rest % 3600, 60), second: rest % 60 };
}

/** YYYYMMDD or YYYYMMDDTHHMMSS of a floating time (RFC 5545 §3.3.4/§3.3.5 forms). */
export function formatFloating(floating: number, withTime = true): string {
  const w = wallTimeOf(floating);
  const d = civil(w.days);
  const pad = (n: number, width = 2) => String(n).padStart(width, "0");
  const date = `${pad(d.year, 4)}${pad(d.month)}${pad(d.day)}`;
  return withTime ? `${date}T${pad(w.hour)}${pad(w.minute)}${pad(w.second)}` : date;
}
