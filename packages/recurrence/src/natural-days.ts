/** The days a phrase names: positions ("2nd to last"), weekday lists, days of the month, dates. */
import {
  dayNumber,
  fail,
  month,
  ORDINAL_WORDS,
  WORKDAY_WORDS,
  WORKDAYS,
  type Words,
  weekday,
} from "./natural-words.ts";

/** "2nd", "second", "last" as a position; "second to last" is -2. */
export function position(w: Words): number | undefined {
  const word = w.peek();
  const match = word ? /^(\d)(st|nd|rd|th)$/.exec(word) : null;
  const n = match ? Number(match[1]) : word ? ORDINAL_WORDS[word] : undefined;
  if (n === undefined || n === 0 || n > 5) return undefined;
  w.next();
  if (n > 0 && w.peek() === "to" && w.peek(1) === "last") {
    w.next();
    w.next();
    return -n;
  }
  if (n > 0 && w.peek() === "last") {
    w.next();
    return -n;
  }
  return n;
}

/** Optional article and "of the month" / "of every month" / "each month". */
export function ofTheMonth(w: Words) {
  const at = w.mark();
  if (w.accept("of", "in", "each", "every")) {
    w.accept("the", "each", "every");
    if (w.accept("month")) return true;
    w.reset(at);
  }
  return false;
}

export function weekdayList(w: Words): string[] {
  const days: string[] = [];
  for (;;) {
    const word = w.peek();
    if (word && WORKDAY_WORDS.has(word)) {
      w.next();
      if (word === "business") w.accept("day", "days");
      days.push(...WORKDAYS.split(","));
    } else if (word === "weekend" || word === "weekends") {
      w.next();
      days.push("SA", "SU");
    } else {
      const day = weekday(word);
      if (!day) return days.length ? days : fail(`expected a weekday ${w.where()}`);
      w.next();
      days.push(day);
    }
    if (!w.accept(",", "and", "&")) return [...new Set(days)];
    w.accept("and");
  }
}

/** "1st and 3rd monday", "last friday", "second to last tuesday": positions of one weekday. */
export function positionedWeekdays(w: Words): string | undefined {
  const at = w.mark();
  const positions: number[] = [];
  for (;;) {
    const p = position(w);
    if (p === undefined) break;
    positions.push(p);
    if (!w.accept(",", "and", "&")) break;
    w.accept("and");
  }
  const day = weekday(w.peek());
  if (positions.length && (day || w.peek() === "weekday")) {
    w.next();
    if (!day)
      return positions.length === 1
        ? `SETPOS:${positions[0]}`
        : fail('say "the first weekday" or "the last weekday"');
    return positions.map((p) => `${p}${day}`).join(",");
  }
  w.reset(at);
  return undefined;
}

/** Day numbers of the month: "15th", "1st and 15th", "last day", "2nd to last day". */
export function monthDays(w: Words): { days: string; saidDay: boolean } | undefined {
  const at = w.mark();
  const days: number[] = [];
  let saidDay = false;
  for (;;) {
    const before = w.mark();
    const p = position(w);
    if (p !== undefined && (p < 0 || w.peek() === "day")) {
      days.push(p);
    } else {
      w.reset(before);
      const d = dayNumber(w.peek());
      if (d === undefined || weekday(w.peek(1))) break;
      w.next();
      days.push(d);
    }
    if (w.accept("day")) saidDay = true;
    if (!w.accept(",", "and", "&")) break;
    w.accept("and");
  }
  if (days.length) return { days: [...new Set(days)].join(","), saidDay };
  w.reset(at);
  return undefined;
}

/** "jan 1", "january 1st", "1 jan", "25th of december". */
export function monthAndDay(w: Words): { month: number; day: number } | undefined {
  const at = w.mark();
  const m = month(w.peek());
  if (m) {
    w.next();
    const d = dayNumber(w.peek());
    if (d) {
      w.next();
      return { month: m, day: d };
    }
    w.reset(at);
    return undefined;
  }
  const d = dayNumber(w.peek());
  if (d) {
    w.next();
    w.accept("of");
    const m2 = month(w.peek());
    if (m2) {
      w.next();
      return { month: m2, day: d };
    }
  }
  w.reset(at);
  return undefined;
}
