/**
 * The candidates of a rule on the floating (wall-clock) time line, in wall-clock order, from any
 * point on: RFC 5545 §3.3.10 evaluated period by period (a year, month, week, day, hour, minute
 * or second, every INTERVAL-th one counted from DTSTART's), each period's set built from the
 * BYxxx parts (expanding or limiting as the RFC's table says), then BYSETPOS, then everything
 * before DTSTART dropped. Periods are numbered arithmetically, so starting years after DTSTART
 * costs nothing: the engine seeks to the period it needs instead of replaying the series.
 * Periods that cannot match are skipped as a whole (a month outside BYMONTH, a day outside the
 * day filters, an hour outside BYHOUR), and every step is charged to the budget.
 */
import type { Budget } from "./budget.ts";
import {
  civil,
  dayNumber,
  monthLength,
  SECONDS_PER_DAY,
  wallTimeOf,
  weekdayOf,
  weekNumber,
  yearLength,
} from "./calendar.ts";
import type { ByDay, Rule } from "./rule.ts";

const UNIT = { HOURLY: 3600, MINUTELY: 60, SECONDLY: 1 } as const;

const mask = (values: number[] | undefined, size: number) => {
  if (!values) return null;
  const ok = new Array<boolean>(size).fill(false);
  for (const v of values) ok[v] = true;
  return ok;
};

const product = (a: number[], b: number[], scale: number) => a.flatMap((x) => b.map((y) => x * scale + y));

/** A rule bound to its DTSTART (floating seconds), with RFC 5545's defaults taken from it. */
export class Expansion {
  readonly start: number;
  private readonly key0: number;
  private readonly interval: number;
  private readonly monthOk: boolean[] | null;
  private readonly hourOk: boolean[] | null;
  private readonly minuteOk: boolean[] | null;
  private readonly secondOk: boolean[] | null;
  private readonly byDay?: ByDay[];
  private readonly byMonthDay?: number[];
  /** ≥ DAILY: seconds of the day; sub-daily: offsets within one period. */
  private readonly times: number[];
  private readonly nthInYear: boolean;

  constructor(
    readonly rule: Rule,
    start: number,
  ) {
    this.start = start;
    this.interval = rule.interval;
    const s = wallTimeOf(start);
    const d = civil(s.days);
    let byMonth = rule.byMonth;
    this.byDay = rule.byDay;
    this.byMonthDay = rule.byMonthDay;
    // "Information, not contained in the rule, necessary to determine the various recurrence
    // instance start time and dates are derived from the Start Time" (§3.3.10).
    if (!rule.byWeekNo && !rule.byYearDay && !rule.byMonthDay && !rule.byDay) {
      if (rule.freq === "YEARLY") {
        byMonth ??= [d.month];
        this.byMonthDay = [d.day];
      } else if (rule.freq === "MONTHLY") this.byMonthDay = [d.day];
      else if (rule.freq === "WEEKLY") this.byDay = [{ weekday: weekdayOf(s.days), n: 0 }];
    }
    this.monthOk = mask(byMonth, 13);
    this.nthInYear = rule.freq === "YEARLY" && !byMonth;
    const hours = rule.byHour ?? [s.hour];
    const minutes = rule.byMinute ?? [s.minute];
    const seconds = rule.bySecond ?? [s.second];
    this.hourOk = this.minuteOk = this.secondOk = null;
    switch (rule.freq) {
      case "HOURLY":
        this.hourOk = mask(rule.byHour, 24);
        this.times = product(minutes, seconds, 60);
        break;
      case "MINUTELY":
        this.hourOk = mask(rule.byHour, 24);
        this.minuteOk = mask(rule.byMinute, 60);
        this.times = seconds;
        break;
      case "SECONDLY":
        this.hourOk = mask(rule.byHour, 24);
        this.minuteOk = mask(rule.byMinute, 60);
        this.secondOk = mask(rule.bySecond, 60);
        this.times = [0];
        break;
      default:
        this.times = product(product(hours, minutes, 60), seconds, 60);
    }
    this.key0 = this.keyOf(start);
  }

  private keyOf(floating: number): number {
    const f = this.rule.freq;
    if (f === "HOURLY" || f === "MINUTELY" || f === "SECONDLY") return Math.floor(floating / UNIT[f]);
    const days = Math.floor(floating / SECONDS_PER_DAY);
    if (f === "DAILY") return days;
    if (f === "WEEKLY") return Math.floor((days + 3 - this.rule.wkst) / 7);
    const { year, month } = civil(days);
    return f === "YEARLY" ? year : year * 12 + month - 1;
  }

  /** The first period counted by INTERVAL at or after `key`. */
  private alignUp(key: number): number {
    if (key <= this.key0) return this.key0;
    return this.key0 + Math.ceil((key - this.key0) / this.interval) * this.interval;
  }

  /** The day filters: BYMONTH, BYWEEKNO, BYYEARDAY, BYMONTHDAY, BYDAY (with positions). */
  private dayPasses(days: number): boolean {
    const { year, month, day } = civil(days);
    if (this.monthOk && !this.monthOk[month]) return false;
    const r = this.rule;
    if (r.byWeekNo) {
      const { week, weeks } = weekNumber(days, r.wkst);
      if (!r.byWeekNo.some((w) => (w > 0 ? w : weeks + w + 1) === week)) return false;
    }
    if (r.byYearDay) {
      const yd = days - dayNumber(year, 1, 1) + 1;
      const len = yearLength(year);
      if (!r.byYearDay.some((v) => (v > 0 ? v : len + v + 1) === yd)) return false;
    }
    if (this.byMonthDay) {
      const ml = monthLength(year, month);
      if (!this.byMonthDay.some((v) => (v > 0 ? v : ml + v + 1) === day)) return false;
    }
    if (this.byDay) {
      const wd = weekdayOf(days);
      const inScope = this.nthInYear
        ? { index: days - dayNumber(year, 1, 1), length: yearLength(year) }
        : { index: day - 1, length: monthLength(year, month) };
      const matches = (e: ByDay) => {
        if (e.weekday !== wd) return false;
        if (e.n === 0) return true;
        return e.n > 0
          ? Math.floor(inScope.index / 7) + 1 === e.n
          : Math.floor((inScope.length - 1 - inScope.index) / 7) + 1 === -e.n;
      };
      if (!this.byDay.some(matches)) return false;
    }
    return true;
  }

  /** First day of the month after the one holding `days`. */
  private static nextMonth(days: number): number {
    const { year, month } = civil(days);
    return month === 12 ? dayNumber(year + 1, 1, 1) : dayNumber(year, month + 1, 1);
  }

  private monthFails(days: number): boolean {
    return this.monthOk !== null && !this.monthOk[civil(days).month];
  }

  /** The days of a calendar period (YEARLY…DAILY) that pass the day filters, in order. */
  private periodDays(key: number, budget: Budget): number[] {
    const f = this.rule.freq;
    let from: number;
    let to: number;
    if (f === "DAILY") {
      budget.spend();
      return this.dayPasses(key) ? [key] : [];
    }
    if (f === "WEEKLY") {
      from = key * 7 - 3 + this.rule.wkst;
      to = from + 7;
    } else if (f === "MONTHLY") {
      const year = Math.floor(key / 12);
      const month = key - year * 12 + 1;
      if (this.monthOk && !this.monthOk[month]) return [];
      from = dayNumber(year, month, 1);
      to = from + monthLength(year, month);
    } else {
      from = dayNumber(key, 1, 1);
      to = dayNumber(key + 1, 1, 1);
      if (this.monthOk) {
        const days: number[] = [];
        for (let month = 1; month <= 12; month++) {
          if (!this.monthOk[month]) continue;
          const first = dayNumber(key, month, 1);
          const length = monthLength(key, month);
          budget.spend(length);
          for (let d = first; d < first + length; d++) if (this.dayPasses(d)) days.push(d);
        }
        return days;
      }
    }
    budget.spend(to - from);
    const days: number[] = [];
    for (let d = from; d < to; d++) if (this.dayPasses(d)) days.push(d);
    return days;
  }

  /** BYSETPOS over a period's sorted set (RFC 5545: positions within the set, -1 the last). */
  private pick(set: number[]): number[] {
    const positions = this.rule.bySetPos;
    if (!positions) return set;
    const picked = new Set<number>();
    for (const p of positions) {
      const i = p > 0 ? p - 1 : set.length + p;
      if (i >= 0 && i < set.length) picked.add(set[i] as number);
    }
    return [...picked].sort((a, b) => a - b);
  }

  /**
   * Candidates ≥ max(from, DTSTART) in wall-clock order, until the periods pass `to` (floating
   * seconds). Each step is charged to `budget`.
   */
  *from(from: number, to: number, budget: Budget): Generator<number> {
    const lower = Math.max(from, this.start);
    const f = this.rule.freq;
    if (f === "HOURLY" || f === "MINUTELY" || f === "SECONDLY") {
      yield* this.subDaily(lower, to, UNIT[f], budget);
      return;
    }
    let key = this.alignUp(this.keyOf(lower));
    for (;;) {
      budget.spend();
      const first = this.firstDayOf(key);
      if (first * SECONDS_PER_DAY > to) return;
      if (f === "DAILY" && this.monthFails(key)) {
        key = this.alignUp(Expansion.nextMonth(key));
        continue;
      }
      const days = this.periodDays(key, budget);
      if (days.length) {
        // Charged before it is built: a period's set can be large (every minute of a year).
        budget.spend(days.length * this.times.length);
        const set = this.pick(product(days, this.times, SECONDS_PER_DAY));
        for (const candidate of set) if (candidate >= lower) yield candidate;
      }
      key += this.interval;
    }
  }

  private firstDayOf(key: number): number {
    switch (this.rule.freq) {
      case "YEARLY":
        return dayNumber(key, 1, 1);
      case "MONTHLY":
        return dayNumber(Math.floor(key / 12), (key % 12) + 1, 1);
      case "WEEKLY":
        return key * 7 - 3 + this.rule.wkst;
      default:
        return key;
    }
  }

  private *subDaily(lower: number, to: number, unit: number, budget: Budget): Generator<number> {
    let key = this.alignUp(Math.floor(lower / unit));
    let checkedDay = Number.NaN;
    let dayOk = false;
    for (;;) {
      budget.spend();
      const at = key * unit;
      if (at > to) return;
      const days = Math.floor(at / SECONDS_PER_DAY);
      if (days !== checkedDay) {
        checkedDay = days;
        dayOk = this.dayPasses(days);
      }
      if (!dayOk) {
        const next = this.monthFails(days) ? Expansion.nextMonth(days) : days + 1;
        key = this.alignUp((next * SECONDS_PER_DAY) / unit);
        continue;
      }
      const second = at - days * SECONDS_PER_DAY;
      const hour = Math.floor(second / 3600);
      if (this.hourOk && !this.hourOk[hour]) {
        key = unit === 3600 ? key + this.interval : this.alignUp(((Math.floor(at / 3600) + 1) * 3600) / unit);
        continue;
      }
      if (unit < 3600 && this.minuteOk && !this.minuteOk[Math.floor((second % 3600) / 60)]) {
        key = unit === 60 ? key + this.interval : this.alignUp((Math.floor(at / 60) + 1) * 60);
        continue;
      }
      if (unit === 1 && this.secondOk && !this.secondOk[second % 60]) {
        key += this.interval;
        continue;
      }
      budget.spend(this.times.length);
      const set = this.pick(this.times.map((t) => at + t));
      for (const candidate of set) if (candidate >= lower) yield candidate;
      key += this.interval;
    }
  }
}
