/**
 * RRULE text ↔ a checked rule (RFC 5545 §3.3.10). Every part is checked for its syntax, its
 * range and whether the FREQ allows it (the table in §3.3.10), so that a rule the engine runs
 * is one it can run as the RFC means it. The normalized text has one spelling per rule: parts in
 * a fixed order, lists sorted without duplicates, defaults (INTERVAL=1, WKST=MO) left out, and
 * UNTIL always a UTC date-time (a date or a floating time is read in the series' zone first).
 */
import {
  civil,
  dayNumber,
  floatingOf,
  formatFloating,
  MAX_MONTH_LENGTH,
  monthLength,
  WEEKDAYS,
} from "./calendar.ts";
import { Zone } from "./zone.ts";

export const FREQUENCIES = [
  "YEARLY",
  "MONTHLY",
  "WEEKLY",
  "DAILY",
  "HOURLY",
  "MINUTELY",
  "SECONDLY",
] as const;
export type Frequency = (typeof FREQUENCIES)[number];

/** BYDAY entry: a weekday (0 = Monday), and n ≠ 0 for "the nth" (-1 = the last) within the month/year. */
export interface ByDay {
  weekday: number;
  n: number;
}

export interface Rule {
  freq: Frequency;
  interval: number;
  count?: number;
  /** Epoch seconds, inclusive. */
  until?: number;
  bySecond?: number[];
  byMinute?: number[];
  byHour?: number[];
  byDay?: ByDay[];
  byMonthDay?: number[];
  byYearDay?: number[];
  byWeekNo?: number[];
  byMonth?: number[];
  bySetPos?: number[];
  wkst: number;
}

export type RuleResult = { ok: true; rule: Rule; text: string } | { ok: false; message: string };

class Refused extends Error {}
const refuse = (message: string): never => {
  throw new Refused(message);
};

const INTEGER = /^[+-]?\d{1,3}$/;

function integers(key: string, value: string, min: number, max: number, signed: boolean, unit: string) {
  const values = value.split(",").map((item) => {
    if (!INTEGER.test(item)) refuse(`${key}=${value}: '${item}' is not a whole number`);
    const n = Number(item);
    const ok = signed ? n !== 0 && Math.abs(n) >= min && Math.abs(n) <= max : n >= min && n <= max;
    if (!ok)
      refuse(
        `${key}=${value}: ${unit} ${signed ? `are ${min} to ${max} or -${max} to -${min}` : `are ${min} to ${max}`}`,
      );
    return n;
  });
  return [...new Set(values)].sort((a, b) => a - b);
}

function weekday(key: string, value: string): number {
  const index = WEEKDAYS.indexOf(value as (typeof WEEKDAYS)[number]);
  if (index < 0) refuse(`${key}=${value}: a weekday is one of ${WEEKDAYS.join(", ")}`);
  return index;
}

function byDays(value: string): ByDay[] {
  const entries = value.split(",").map((item) => {
    const match = /^([+-]?\d{1,2})?([A-Z]{2})$/.exec(item);
    if (!match) return refuse(`BYDAY=${value}: '${item}' is not a weekday such as MO, 2TU or -1FR`);
    const n = match[1] === undefined ? 0 : Number(match[1]);
    if (match[1] !== undefined && (n === 0 || Math.abs(n) > 53))
      refuse(`BYDAY=${value}: '${item}': the position is 1 to 53 or -53 to -1`);
    return { weekday: weekday("BYDAY", match[2] as string), n };
  });
  const unique = new Map(entries.map((e) => [`${e.n}${e.weekday}`, e]));
  return [...unique.values()].sort((a, b) => a.weekday - b.weekday || a.n - b.n);
}

/** UNTIL in any of RFC 5545's three forms, as epoch seconds (date and floating forms read in `zone`). */
function until(value: string, zone: Zone): number {
  const match = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z)?)?$/.exec(value);
  if (!match) return refuse(`UNTIL=${value}: expected a date (YYYYMMDD) or a date-time (YYYYMMDDTHHMMSS[Z])`);
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = match
    .slice(1, 7)
    .map((v) => Number(v ?? 0));
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > monthLength(year, month))
    refuse(`UNTIL=${value}: not a calendar date`);
  if (hour > 23 || minute > 59 || second > 59) refuse(`UNTIL=${value}: not a time of day`);
  const days = dayNumber(year, month, day);
  if (match[4] === undefined) {
    // A date: the whole day counts (UNTIL is inclusive), in the series' zone.
    return zone.instantOf(floatingOf(days + 1, 0, 0, 0)) - 1;
  }
  const floating = floatingOf(days, hour, minute, second);
  return match[7] ? floating : zone.instantOf(floating);
}

const NOT_WITH: Record<string, Frequency[]> = {
  BYMONTHDAY: ["WEEKLY"],
  BYYEARDAY: ["MONTHLY", "WEEKLY", "DAILY"],
  BYWEEKNO: ["MONTHLY", "WEEKLY", "DAILY", "HOURLY", "MINUTELY", "SECONDLY"],
};

function checkFrequencyParts(rule: Rule, seen: Set<string>) {
  for (const [part, frequencies] of Object.entries(NOT_WITH)) {
    if (seen.has(part) && frequencies.includes(rule.freq))
      refuse(`${part} cannot be used with FREQ=${rule.freq} (RFC 5545 §3.3.10)`);
  }
  const numbered = rule.byDay?.filter((d) => d.n !== 0) ?? [];
  if (numbered.length) {
    if (rule.freq !== "MONTHLY" && rule.freq !== "YEARLY")
      refuse(`BYDAY with a position (such as 2TU) needs FREQ=MONTHLY or YEARLY, not ${rule.freq}`);
    if (rule.freq === "YEARLY" && rule.byWeekNo)
      refuse("BYDAY with a position (such as 2TU) cannot be combined with BYWEEKNO");
    const inMonth = rule.freq === "MONTHLY" || rule.byMonth;
    const tooFar = numbered.find((d) => Math.abs(d.n) > (inMonth ? 5 : 53));
    if (tooFar) refuse(`BYDAY: a month has at most 5 of each weekday, so position ${tooFar.n} never happens`);
  }
  if (rule.bySetPos && ![...seen].some((p) => p.startsWith("BY") && p !== "BYSETPOS"))
    refuse("BYSETPOS needs another BYxxx part to pick from (RFC 5545 §3.3.10)");
  if (rule.bySecond?.includes(60)) refuse("BYSECOND=60 (a leap second) never happens on Nudge's clock");
}

/** Day numbers that no month in BYMONTH has: a rule asking only for those never fires. */
function checkMonthDays(rule: Rule) {
  if (!rule.byMonthDay) return;
  const months = rule.byMonth ?? [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const possible = rule.byMonthDay.some((d) =>
    months.some((m) => Math.abs(d) <= (MAX_MONTH_LENGTH[m - 1] as number)),
  );
  if (!possible)
    refuse(
      `BYMONTHDAY=${rule.byMonthDay.join(",")} never happens in BYMONTH=${months.join(",")} (no such day in those months)`,
    );
}

/** Parse and check RRULE text (an `RRULE:` prefix is accepted); UNTIL forms are read in `timeZone`. */
export function parseRule(text: string, timeZone: string): RuleResult {
  try {
    const body = text
      .trim()
      .replace(/^RRULE:/i, "")
      .toUpperCase();
    if (!body) refuse("the rule is empty");
    const zone = Zone.of(timeZone);
    const rule: Rule = { freq: "DAILY", interval: 1, wkst: 0 };
    const seen = new Set<string>();
    for (const part of body.split(";")) {
      const [key, value, extra] = part.split("=");
      if (!key || value === undefined || extra !== undefined || value === "")
        refuse(`'${part}' is not KEY=VALUE`);
      const k = key as string;
      const v = value as string;
      if (seen.has(k)) refuse(`${k} appears twice`);
      seen.add(k);
      switch (k) {
        case "FREQ":
          if (!FREQUENCIES.includes(v as Frequency)) refuse(`FREQ must be one of ${FREQUENCIES.join(", ")}`);
          rule.freq = v as Frequency;
          break;
        case "INTERVAL":
          if (!/^[1-9]\d{0,5}$/.test(v)) refuse("INTERVAL must be a whole number from 1 to 999999");
          rule.interval = Number(v);
          break;
        case "COUNT":
          if (!/^[1-9]\d{0,4}$/.test(v)) refuse("COUNT must be a whole number from 1 to 99999");
          rule.count = Number(v);
          break;
        case "UNTIL":
          rule.until = until(v, zone);
          break;
        case "BYSECOND":
          rule.bySecond = integers(k, v, 0, 60, false, "seconds");
          break;
        case "BYMINUTE":
          rule.byMinute = integers(k, v, 0, 59, false, "minutes");
          break;
        case "BYHOUR":
          rule.byHour = integers(k, v, 0, 23, false, "hours");
          break;
        case "BYDAY":
          rule.byDay = byDays(v);
          break;
        case "BYMONTHDAY":
          rule.byMonthDay = integers(k, v, 1, 31, true, "days of the month");
          break;
        case "BYYEARDAY":
          rule.byYearDay = integers(k, v, 1, 366, true, "days of the year");
          break;
        case "BYWEEKNO":
          rule.byWeekNo = integers(k, v, 1, 53, true, "week numbers");
          break;
        case "BYMONTH":
          rule.byMonth = integers(k, v, 1, 12, false, "months");
          break;
        case "BYSETPOS":
          rule.bySetPos = integers(k, v, 1, 366, true, "positions");
          break;
        case "WKST":
          rule.wkst = weekday(k, v);
          break;
        default:
          refuse(`unknown or unsupported part ${k}`);
      }
    }
    if (!seen.has("FREQ")) refuse("FREQ is required");
    if (seen.has("COUNT") && seen.has("UNTIL")) refuse("COUNT and UNTIL cannot both be set");
    checkFrequencyParts(rule, seen);
    checkMonthDays(rule);
    return { ok: true, rule, text: formatRule(rule) };
  } catch (error) {
    if (error instanceof Refused) return { ok: false, message: error.message };
    if (error instanceof RangeError) return { ok: false, message: `unknown time zone ${timeZone}` };
    throw error;
  }
}

/** The one normalized spelling of a rule. */
export function formatRule(rule: Rule): string {
  const parts = [`FREQ=${rule.freq}`];
  if (rule.interval !== 1) parts.push(`INTERVAL=${rule.interval}`);
  if (rule.count !== undefined) parts.push(`COUNT=${rule.count}`);
  if (rule.until !== undefined) parts.push(`UNTIL=${formatFloating(rule.until)}Z`);
  const list = (key: string, values?: number[]) => values && parts.push(`${key}=${values.join(",")}`);
  list("BYMONTH", rule.byMonth);
  list("BYWEEKNO", rule.byWeekNo);
  list("BYYEARDAY", rule.byYearDay);
  list("BYMONTHDAY", rule.byMonthDay);
  if (rule.byDay)
    parts.push(`BYDAY=${rule.byDay.map((d) => `${d.n || ""}${WEEKDAYS[d.weekday]}`).join(",")}`);
  list("BYHOUR", rule.byHour);
  list("BYMINUTE", rule.byMinute);
  list("BYSECOND", rule.bySecond);
  list("BYSETPOS", rule.bySetPos);
  if (rule.wkst !== 0) parts.push(`WKST=${WEEKDAYS[rule.wkst]}`);
  return parts.join(";");
}

/** For messages: a UTC instant as ISO 8601. */
export const isoOf = (instant: number) => {
  const { year, month, day } = civil(Math.floor(instant / 86_400));
  const pad = (n: number) => String(n).padStart(2, "0");
  const t = new Date(instant * 1000).toISOString().slice(11, 19);
  return `${String(year).padStart(4, "0")}-${pad(month)}-${pad(day)}T${t}Z`;
};
