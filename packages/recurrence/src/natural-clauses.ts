/** The clauses after a phrase's head: on … (which days), at … (which times), for N times / until DATE. */
import { monthAndDay, monthDays, ofTheMonth, positionedWeekdays, weekdayList } from "./natural-days.ts";
import {
  fail,
  month,
  NUMBER_WORDS,
  type Parts,
  WORKDAY_WORDS,
  WORKDAYS,
  type Words,
  weekday,
} from "./natural-words.ts";

/** The anchor's month, for "yearly on the 15th" (the 15th of the month the series starts in). */
export interface PhraseContext {
  startMonth?: number;
}

export function onClause(w: Words, parts: Parts, context: PhraseContext) {
  if (!w.accept("on")) return;
  w.accept("the", "every", "each");
  const freq = parts.FREQ;
  if (parts.BYDAY || parts.BYMONTHDAY) fail(`the days are already given ${w.where()}`);
  const positioned = positionedWeekdays(w);
  if (positioned) {
    if (freq !== "MONTHLY" && freq !== "YEARLY")
      fail('"on the 2nd tuesday" goes with monthly or yearly rules');
    let m: number | undefined;
    if (!ofTheMonth(w) && w.accept("of", "in")) m = month(w.next()) ?? fail(`expected a month ${w.where()}`);
    if (freq === "YEARLY" && !m) fail('say which month: "yearly on the 4th thursday of november"');
    const byDay = positioned.startsWith("SETPOS:")
      ? { BYDAY: WORKDAYS, BYSETPOS: positioned.slice("SETPOS:".length) }
      : { BYDAY: positioned };
    return Object.assign(parts, m ? { BYMONTH: String(m), ...byDay } : byDay);
  }
  const word = w.peek();
  if (weekday(word) || (word && (WORKDAY_WORDS.has(word) || word === "weekends" || word === "weekend"))) {
    if (freq !== "WEEKLY" && freq !== "DAILY") fail('"on <weekday>" goes with daily or weekly rules');
    if (freq === "DAILY") parts.FREQ = "WEEKLY";
    parts.BYDAY = weekdayList(w).join(",");
    return;
  }
  const date = monthAndDay(w);
  if (date) {
    if (freq !== "YEARLY") fail('"on <month> <day>" goes with yearly rules');
    return Object.assign(parts, { BYMONTH: String(date.month), BYMONTHDAY: String(date.day) });
  }
  const days = monthDays(w);
  if (days) {
    if (freq === "MONTHLY") {
      ofTheMonth(w);
      return Object.assign(parts, { BYMONTHDAY: days.days });
    }
    if (freq === "YEARLY") {
      // "yearly on the last day" is the year's last day; "yearly on the 15th" the 15th of the
      // month the series starts in; "yearly on the 15th of june" says which.
      if (w.accept("of", "in")) {
        if (w.accept("the") && w.accept("year")) return Object.assign(parts, { BYYEARDAY: days.days });
        const m = month(w.next()) ?? fail(`expected a month ${w.where()}`);
        return Object.assign(parts, { BYMONTH: String(m), BYMONTHDAY: days.days });
      }
      if (days.saidDay) return Object.assign(parts, { BYYEARDAY: days.days });
      if (!context.startMonth) fail('say which month: "yearly on march 15"');
      return Object.assign(parts, { BYMONTH: String(context.startMonth), BYMONTHDAY: days.days });
    }
    fail('"on the 15th" goes with monthly or yearly rules');
  }
  fail(`expected a weekday, a date or "the 15th" after "on" ${w.where()}`);
}

function time(w: Words, hourly: boolean): [number, number] {
  let word = w.next() ?? "";
  if (word === "noon" || word === "midday") return [12, 0];
  if (word === "midnight") return [0, 0];
  if (hourly) {
    const minute = /^:(\d{2})$/.exec(word);
    if (minute && Number(minute[1]) < 60) return [-1, Number(minute[1])];
    fail(`an hourly rule takes minutes past the hour, such as ":30" (at "${word}")`);
  }
  word = word.replace(/\./g, ":");
  const match = /^(\d{1,2})(?::(\d{2}))?(am|pm|a|p)?$/.exec(word);
  if (!match) return fail(`expected a time such as 9am, 9.30 or 17:30 at "${word}"`);
  let suffix = match[3] ?? w.accept("am", "pm", "a.m", "p.m", "a.m.", "p.m.");
  if (suffix) suffix = suffix.startsWith("p") ? "pm" : "am";
  let hour = Number(match[1]);
  const minute = Number(match[2] ?? 0);
  if (suffix && (hour < 1 || hour > 12)) fail(`"${word}" is not a time`);
  if (suffix === "pm" && hour < 12) hour += 12;
  if (suffix === "am" && hour === 12) hour = 0;
  if (hour > 23 || minute > 59) fail(`"${word}" is not a time`);
  return [hour, minute];
}

export function atClause(w: Words, parts: Parts) {
  if (!w.accept("at")) return;
  const sub = parts.FREQ === "HOURLY";
  if (parts.FREQ === "MINUTELY" || parts.FREQ === "SECONDLY")
    fail('"at <time>" does not go with rules of minutes');
  const times = [time(w, sub)];
  while (w.accept(",", "and", "&")) {
    w.accept("and");
    times.push(time(w, sub));
  }
  const hours = [...new Set(times.map(([h]) => h))];
  const minutes = [...new Set(times.map(([, m]) => m))];
  // One rule holds every hour × every minute: times must make up such a grid.
  if (hours.length * minutes.length !== new Set(times.map(([h, m]) => `${h}:${m}`)).size)
    fail("several times must share their minutes (9:00 and 17:00) or their hour (9:00 and 9:30)");
  if (!sub) parts.BYHOUR = hours.join(",");
  Object.assign(parts, { BYMINUTE: minutes.join(","), BYSECOND: "0" });
}

function date(w: Words): string {
  const word = w.next() ?? "";
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(word);
  if (iso) return `${iso[1]}${iso[2]}${iso[3]}`;
  w.reset(w.mark() - 1);
  const md = monthAndDay(w);
  w.accept(",");
  const year = w.peek();
  if (md && year && /^\d{4}$/.test(year)) {
    w.next();
    return `${year}${String(md.month).padStart(2, "0")}${String(md.day).padStart(2, "0")}`;
  }
  return fail('expected a date such as 2030-12-31 or "december 31 2030" after "until"');
}

export function endClause(w: Words, parts: Parts) {
  const counted = () => {
    const word = w.next() ?? "";
    const count = /^\d+$/.test(word) ? Number(word) : NUMBER_WORDS[word];
    if (!count || count < 1) fail('expected a number of times, such as "for 5 times"');
    w.accept("times", "time", "occurrences", "occurrence");
    parts.COUNT = String(count);
  };
  if (w.accept("for")) counted();
  else if (
    (/^\d+$/.test(w.peek() ?? "") || NUMBER_WORDS[w.peek() ?? ""]) &&
    /^(times|occurrences)$/.test(w.peek(1) ?? "")
  )
    counted();
  else if (w.accept("once")) parts.COUNT = "1";
  else if (w.accept("until", "till", "through")) {
    // A date: the whole day counts, in the series' zone (rule.ts reads it so).
    parts.UNTIL = date(w);
  }
}
