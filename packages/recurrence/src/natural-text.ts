/**
 * A strict grammar for the recurrences people type, in English: "every weekday at 9am", "every
 * other monday", "every 3rd friday of the month", "every 4th thursday of november", "every 15th",
 * "fortnightly", "every 30 minutes", "every day at 9.30 until 2027-01-10". A phrase is accepted
 * only when every word has been understood; the result is RRULE text for rule.ts to check.
 *
 *   phrase := head [on …] [at time[, time …]] [for N times | N times | until DATE]
 *   head   := daily | weekly | … | biweekly | quarterly | every [N|other|2nd] unit
 *           | every [N|other|2nd] weekday… | every ordinal weekday [of the month | of MONTH]
 *           | every [ordinal] day of the month | every 15th | every MONTH DAY | every workday …
 */
import { atClause, endClause, onClause, type PhraseContext } from "./natural-clauses.ts";
import { monthAndDay, monthDays, ofTheMonth, positionedWeekdays, weekdayList } from "./natural-days.ts";
import {
  ADVERBS,
  dayNumber,
  fail,
  month,
  NUMBER_WORDS,
  ORDINAL_WORDS,
  type Parts,
  singular,
  UNITS,
  Unparsed,
  WORKDAY_WORDS,
  WORKDAYS,
  Words,
  weekday,
} from "./natural-words.ts";

export const RECURRENCE_HINT =
  'try "every weekday at 9am", "every other monday", "every 2 weeks on monday and thursday", ' +
  '"every 3rd friday of the month", "every last day of the month", "every 15th", "every jan 1", ' +
  '"every 4th thursday of november", "every 30 minutes", "fortnightly", "every day at 9.30 until 2027-01-10", ' +
  "or an RRULE such as FREQ=WEEKLY;BYDAY=MO,TH";

function interval(w: Words): number | undefined {
  const word = w.peek() ?? "";
  let n: number | undefined;
  if (month(w.peek(1)) && dayNumber(word)) return undefined; // "every 4 july" is a date
  if (word === "other") n = 2;
  else if (/^\d+$/.test(word)) n = Number(word);
  else if (NUMBER_WORDS[word]) n = NUMBER_WORDS[word];
  else if (/^\d+(st|nd|rd|th)$/.test(word) || ORDINAL_WORDS[word]) {
    // "every 2nd week", "every third day": an interval only before a unit or a weekday.
    const next = w.peek(1);
    const unit = UNITS[singular(next) ?? ""] || weekday(next);
    const nth = /^\d+/.exec(word) ? Number(/^\d+/.exec(word)?.[0]) : ORDINAL_WORDS[word];
    if (unit && nth && nth > 1 && !(weekday(next) && ofFollows(w))) n = nth;
  }
  if (n === undefined) return undefined;
  if (n < 1 || n > 1000) fail("the interval must be between 1 and 1000");
  w.next();
  return n;
}

/** "every 3rd friday of the month" is a position, "every 2nd friday" an interval. */
function ofFollows(w: Words) {
  return w.peek(2) === "of" || w.peek(2) === "in" || w.peek(2) === "each";
}

function every(w: Words, parts: Parts) {
  const head = w.peek();
  if (head === "half" && w.peek(1) === "hour") {
    w.next();
    w.next();
    return Object.assign(parts, { FREQ: "MINUTELY", INTERVAL: "30" });
  }
  if (
    head &&
    (WORKDAY_WORDS.has(head) ||
      head === "weekend" ||
      head === "weekends" ||
      (weekday(head) && !ofFollowsAt(w, 1)))
  )
    return Object.assign(parts, { FREQ: "WEEKLY", BYDAY: weekdayList(w).join(",") });
  const n = interval(w);
  if (n === undefined) {
    // "every second to last sunday": a position, before "second" can be read as a unit.
    const positioned = positionedWeekdays(w);
    if (positioned) return placePositioned(w, parts, positioned);
  }
  const unit = UNITS[singular(w.peek()) ?? ""];
  if (unit) {
    w.next();
    if (n === undefined && unit[0] === "DAILY" && ofTheMonth(w))
      fail('say "every 1st" or "every last day of the month"');
    parts.FREQ = unit[0];
    const every = (n ?? 1) * unit[1];
    if (every > 1) parts.INTERVAL = String(every);
    return;
  }
  if (n !== undefined) {
    // "every other monday", "every 2 weeks" handled above; here: "every 2nd tuesday".
    if (!weekday(w.peek()))
      fail(`expected minutes, hours, days, weeks, months, years or a weekday ${w.where()}`);
    Object.assign(parts, { FREQ: "WEEKLY", BYDAY: weekdayList(w).join(",") });
    if (n > 1) parts.INTERVAL = String(n);
    return;
  }
  const positioned = positionedWeekdays(w);
  if (positioned) return placePositioned(w, parts, positioned);
  const date = monthAndDay(w);
  if (date)
    return Object.assign(parts, {
      FREQ: "YEARLY",
      BYMONTH: String(date.month),
      BYMONTHDAY: String(date.day),
    });
  const days = monthDays(w);
  if (days) {
    if (ofTheMonth(w) || !w.accept("of", "in"))
      return Object.assign(parts, { FREQ: "MONTHLY", BYMONTHDAY: days.days });
    const m = month(w.next()) ?? fail(`expected a month or "the month" ${w.where()}`);
    return Object.assign(parts, { FREQ: "YEARLY", BYMONTH: String(m), BYMONTHDAY: days.days });
  }
  fail(`expected a unit, a weekday or a day after "every" ${w.where()}`);
}

const ofFollowsAt = (w: Words, ahead: number) => w.peek(ahead) === "of";

/** "3rd friday" [of the month | of november]. */
function placePositioned(w: Words, parts: Parts, positioned: string) {
  let m: number | undefined;
  if (!ofTheMonth(w) && w.accept("of", "in"))
    m = month(w.next()) ?? fail(`expected a month or "the month" ${w.where()}`);
  const byDay = positioned.startsWith("SETPOS:")
    ? { BYDAY: WORKDAYS, BYSETPOS: positioned.slice("SETPOS:".length) }
    : { BYDAY: positioned };
  Object.assign(parts, m ? { FREQ: "YEARLY", BYMONTH: String(m), ...byDay } : { FREQ: "MONTHLY", ...byDay });
}

function head(w: Words, parts: Parts) {
  const adverb = ADVERBS[w.peek() ?? ""];
  if (adverb) {
    w.next();
    parts.FREQ = adverb[0];
    if (adverb[1] > 1) parts.INTERVAL = String(adverb[1]);
    return;
  }
  if (w.accept("every", "each")) return every(w, parts);
  // "january 1st", "25 december": a date alone, in a recurrence, comes back every year.
  const date = monthAndDay(w);
  if (date)
    return Object.assign(parts, {
      FREQ: "YEARLY",
      BYMONTH: String(date.month),
      BYMONTHDAY: String(date.day),
    });
  const word = w.peek();
  // "mondays", "weekdays at 9": a plural weekday alone repeats weekly.
  if (
    word &&
    /s$/.test(word) &&
    (weekday(word) || word === "weekdays" || word === "weekends" || word === "workdays")
  )
    return Object.assign(parts, { FREQ: "WEEKLY", BYDAY: weekdayList(w).join(",") });
  fail('start with "every", or "daily", "weekly", "biweekly", "monthly", "quarterly", "yearly"');
}

/** RRULE text (unchecked) for a phrase, or an error naming what was not understood. */
export function naturalTextToRrule(
  text: string,
  context: PhraseContext = {},
): { ok: true; rule: string } | { ok: false; message: string } {
  const words = text
    .toLowerCase()
    .replace(/,/g, " , ")
    .replace(/[.!]+$/, "")
    .replace(/(\d)\s*(am|pm)\b/g, "$1$2")
    .split(/\s+/)
    .filter(Boolean);
  const w = new Words(words);
  const parts: Parts = {};
  try {
    head(w, parts);
    // The clauses may come in either order ("every monday at 9 for 5 times").
    for (let round = 0; round < 3 && !w.done(); round++) {
      onClause(w, parts, context);
      atClause(w, parts);
      endClause(w, parts);
    }
    if (!w.done()) fail(`did not understand "${w.rest()}"`);
  } catch (error) {
    if (error instanceof Unparsed) return { ok: false, message: error.message };
    throw error;
  }
  const order = [
    "FREQ",
    "INTERVAL",
    "COUNT",
    "UNTIL",
    "BYMONTH",
    "BYYEARDAY",
    "BYMONTHDAY",
    "BYDAY",
    "BYHOUR",
    "BYMINUTE",
    "BYSECOND",
    "BYSETPOS",
  ];
  return {
    ok: true,
    rule: order
      .filter((key) => parts[key] !== undefined)
      .map((key) => `${key}=${parts[key]}`)
      .join(";"),
  };
}
