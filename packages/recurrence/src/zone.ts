/**
 * A time zone's UTC offsets from the runtime's own tz data (Intl), turned into a table of
 * transitions per year so that instant ↔ wall-clock conversion is arithmetic, not a formatter
 * call per step. Nudge's two DST rules (RFC 5545 §3.3.5) live in `instantOf`:
 * - a wall-clock time that does not exist (spring-forward gap) is read with the offset in force
 *   before the gap, so it lands the gap's length later (02:30 on a 02:00→03:00 day is 03:30);
 * - a wall-clock time that happens twice (fall-back overlap) is the first, earlier instant.
 * Times are whole seconds: `instant` values are epoch seconds, `floating` values are wall-clock
 * seconds counted as if the wall clock were UTC.
 */
import { dayNumber, floatingOf, SECONDS_PER_DAY } from "./calendar.ts";

interface Transition {
  at: number; // epoch seconds of the first second with the new offset
  offset: number; // seconds east of UTC from `at` on
}

interface YearTable {
  startOffset: number; // in force at the year's first second
  transitions: Transition[];
}

const MAX_CACHED_YEARS = 4_096;

export class Zone {
  private readonly years = new Map<number, YearTable>();
  private readonly format: Intl.DateTimeFormat;

  private constructor(readonly name: string) {
    this.format = new Intl.DateTimeFormat("en-US", {
      timeZone: name,
      hourCycle: "h23",
      era: "short",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
  }

  private static readonly zones = new Map<string, Zone>();
  /** The zone by IANA name (throws RangeError for a name the runtime does not know). */
  static of(name: string): Zone {
    let zone = Zone.zones.get(name);
    if (!zone) {
      zone = new Zone(name);
      if (Zone.zones.size > 1_000) Zone.zones.clear();
      Zone.zones.set(name, zone);
    }
    return zone;
  }

  /** The offset at an instant straight from Intl (slow: only to build the tables). */
  private measure(instant: number): number {
    const parts: Record<string, string> = {};
    for (const p of this.format.formatToParts(new Date(instant * 1000))) parts[p.type] = p.value;
    const year = parts.era === "BC" ? 1 - Number(parts.year) : Number(parts.year);
    const wall = Date.UTC(2000, Number(parts.month) - 1, Number(parts.day), Number(parts.hour), 0, 0);
    const shifted = new Date(wall);
    shifted.setUTCFullYear(year);
    const floating = shifted.getTime() / 1000 + Number(parts.minute) * 60 + Number(parts.second);
    return floating - instant;
  }

  /**
   * Transitions of one UTC year: offsets sampled weekly, each change bisected to the second
   * (about 90 formatter calls a year; two transitions less than a week apart would be missed,
   * which no zone has had in the years Nudge schedules).
   */
  private table(year: number): YearTable {
    let table = this.years.get(year);
    if (table) return table;
    const start = Date.UTC(2000, 0, 1) / 1000;
    const first = new Date(start * 1000);
    first.setUTCFullYear(year);
    const from = first.getTime() / 1000;
    const last = new Date(start * 1000);
    last.setUTCFullYear(year + 1);
    const to = last.getTime() / 1000;
    const transitions: Transition[] = [];
    const startOffset = this.measure(from);
    let before = startOffset;
    const step = 7 * SECONDS_PER_DAY;
    for (let t = from; t < to; t += step) {
      const end = Math.min(t + step, to);
      const after = this.measure(end);
      if (after === before) continue;
      let lo = t; // offset `before` at lo, `after` at hi
      let hi = end;
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (this.measure(mid) === before) lo = mid;
        else hi = mid;
      }
      if (hi < to) transitions.push({ at: hi, offset: after });
      before = after;
    }
    table = { startOffset, transitions };
    if (this.years.size >= MAX_CACHED_YEARS) this.years.clear();
    this.years.set(year, table);
    return table;
  }

  /** Every offset change in the UTC years `from`…`to`: [epoch seconds, new offset in seconds]. */
  transitions(from: number, to: number): Array<[number, number]> {
    const list: Array<[number, number]> = [];
    for (let year = from; year <= to; year++)
      for (const t of this.table(year).transitions) list.push([t.at, t.offset]);
    return list;
  }

  /** Seconds east of UTC at an epoch-seconds instant. */
  offsetAt(instant: number): number {
    const year = utcYear(instant);
    const { startOffset, transitions } = this.table(year);
    let offset = startOffset;
    for (const t of transitions) {
      if (t.at > instant) break;
      offset = t.offset;
    }
    return offset;
  }

  floatingOf(instant: number): number {
    return instant + this.offsetAt(instant);
  }

  /** The instant a wall-clock time denotes (the gap and overlap rules above). */
  instantOf(floating: number): number {
    // Offsets in force a day around are the only candidates; the earlier instant wins.
    const early = this.offsetAt(floating - SECONDS_PER_DAY);
    const late = this.offsetAt(floating + SECONDS_PER_DAY);
    const first = floating - Math.max(early, late);
    const second = floating - Math.min(early, late);
    if (this.floatingOf(first) === floating) return first;
    if (this.floatingOf(second) === floating) return second;
    return floating - early; // in a gap: the offset from before it
  }

  /**
   * How far a wall-clock time near `instant` can be from its instant's neighbours: the size of
   * any offset change within a day and a half. 0 almost always; the engine widens its search
   * by this much around transitions, where wall-clock order and instant order differ.
   */
  slackAround(instant: number): number {
    const a = this.offsetAt(instant - 1.5 * SECONDS_PER_DAY);
    const b = this.offsetAt(instant);
    const c = this.offsetAt(instant + 1.5 * SECONDS_PER_DAY);
    return Math.max(a, b, c) - Math.min(a, b, c);
  }
}

function utcYear(instant: number): number {
  return new Date(instant * 1000).getUTCFullYear();
}

/** A wall clock in a zone, the shape the rest of Nudge speaks (months 1–12). */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000);
export const dateOf = (instant: number) => new Date(instant * 1000);

/** The wall-clock time of an instant in a zone. */
export function wallClockOf(instant: Date, timeZone: string): WallClock {
  const floating = Zone.of(timeZone).floatingOf(epochSeconds(instant));
  const d = new Date(floating * 1000);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  };
}

/** The instant a wall-clock time denotes in a zone (gap: moved forward; overlap: the first). */
export function instantOf(wall: WallClock, timeZone: string): Date {
  const floating = floatingOf(
    dayNumber(wall.year, wall.month, wall.day),
    wall.hour,
    wall.minute,
    wall.second,
  );
  return dateOf(Zone.of(timeZone).instantOf(floating));
}

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const two = (n: number) => String(n).padStart(2, "0");

/**
 * "Mon 1 Jul 2030, 09:30": an instant as a person reads it on their wall clock, in English —
 * built from the wall clock itself, so it never depends on the runtime's ICU version or locale.
 */
export function readableWallClock(instant: Date, timeZone: string): string {
  const w = wallClockOf(instant, timeZone);
  const weekday = WEEKDAYS[new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay()];
  return `${weekday} ${w.day} ${MONTHS[w.month - 1]} ${w.year}, ${two(w.hour)}:${two(w.minute)}`;
}

/** The local calendar date of an instant in a zone, YYYY-MM-DD. */
export function localDay(instant: Date, timeZone: string): string {
  const wall = wallClockOf(instant, timeZone);
  return `${wall.year}-${two(wall.month)}-${two(wall.day)}`;
}

/** The calendar date `days` after (or before) a YYYY-MM-DD date. */
export function addDays(day: string, days: number): string {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/**
 * The instant of `localTime` on `day` in the zone. A time that does not exist that day (a
 * spring-forward gap) moves forward by the gap; one that happens twice means the first.
 */
export function instantAtLocalTime(day: string, localTime: string, timeZone: string): Date {
  const [year, month, date] = day.split("-").map(Number) as [number, number, number];
  const [hour, minute] = localTime.split(":").map(Number) as [number, number];
  return instantOf({ year, month, day: date, hour, minute, second: 0 }, timeZone);
}
