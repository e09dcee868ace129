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
const WEEKDAYS: Record<string, string> = {
  monday: "MO",
  mon: "MO",
  tuesday: "TU",
  tue: "TU",
  tues: "TU",
  wednesday: "WE",
  wed: "WE",
  thursday: "TH",
  thu: "TH",
  thur: "TH",
  thurs: "TH",
  friday: "FR",
  fri: "FR",
  saturday: "SA",
  sat: "SA",
  sunday: "SU",
  sun: "SU",
};
const WORKDAYS = "MO,TU,WE,TH,FR";
const MONTHS = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
];
const ORDINAL_WORDS: Record<string, number> = {
  first: 1,
  second: 2,
  third: 3,
  fourth: 4,
  fifth: 5,
  last: -1,
};
const NUMBER_WORDS: Record<string, number> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
};
/** Adverbs: the frequency and its interval. */
const ADVERBS: Record<string, [string, number]> = {
  secondly: ["SECONDLY", 1],
  minutely: ["MINUTELY", 1],
  hourly: ["HOURLY", 1],
  daily: ["DAILY", 1],
  weekly: ["WEEKLY", 1],
  biweekly: ["WEEKLY", 2],
  fortnightly: ["WEEKLY", 2],
  monthly: ["MONTHLY", 1],
  bimonthly: ["MONTHLY", 2],
  quarterly: ["MONTHLY", 3],
  yearly: ["YEARLY", 1],
  annually: ["YEARLY", 1],
};
const UNITS: Record<string, [string, number]> = {
  second: ["SECONDLY", 1],
  sec: ["SECONDLY", 1],
  minute: ["MINUTELY", 1],
  min: ["MINUTELY", 1],
  hour: ["HOURLY", 1],
  hr: ["HOURLY", 1],
  day: ["DAILY", 1],
  week: ["WEEKLY", 1],
  fortnight: ["WEEKLY", 2],
  month: ["MONTHLY", 1],
  quarter: ["MONTHLY", 3],
  year: ["YEARLY", 1],
};
const WORKDAY_WORDS = new Set(["weekday", "weekdays", "workday", "workdays", "business"]);

export const RECURRENCE_HINT =
  'try "every weekday at 9am", "every other monday", "every 2 weeks on monday and thursday", ' +
  '"every 3rd friday of the month", "every last day of the month", "every 15th", "every jan 1", ' +
  '"every 4th thursday of november", "every 30 minutes", "fortnightly", "every day at 9.30 until 2027-01-10", ' +
  "or an RRULE such as FREQ=WEEKLY;BYDAY=MO,TH";

class Unparsed extends Error {}
const fail = (message: string): never => {
  throw new Unparsed(message);
};

const singular = (word: string | undefined) => (word && word.length > 2 ? word.replace(/s$/, "") : word);
const weekday = (word: string | undefined) => (word ? WEEKDAYS[singular(word) as string] : undefined);
const month = (word: string | undefined) =>
  word && word.length >= 3 ? MONTHS.findIndex((name) => name.startsWith(word)) + 1 || undefined : undefined;
/** "15", "15th", "1st", "first" (days of the month are 1–31). */
function dayNumber(word: string | undefined): number | undefined {
  const match = word ? /^(\d{1,2})(st|nd|rd|th)?$/.exec(word) : null;
  const day = match ? Number(match[1]) : word ? ORDINAL_WORDS[word] : 0;
  return day && day >= 1 && day <= 31 ? day : undefined;
}
/** "2nd", "second", "last" as a position; "second to last" is -2. */
function position(w: Words): number | undefined {
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

/** Reads the words left to right; every helper consumes what it understood. */
class Words {
  private i = 0;
  constructor(private readonly words: string[]) {}
  peek = (ahead = 0) => this.words[this.i + ahead];
  next = () => this.words[this.i++];
  accept(...options: string[]) {
    if (options.includes(this.peek() ?? "")) return this.next();
    return undefined;
  }
  done = () => this.i >= this.words.length;
  rest = () => this.words.slice(this.i).join(" ");
  where = () => (this.done() ? "at the end" : `at "${this.peek()}"`);
  mark = () => this.i;
  reset = (i: number) => {
    this.i = i;
  };
}

type Parts = Record<string, string>;

/** Optional article and "of the month" / "of every month" / "each month". */
function ofTheMonth(w: Words) {
  const at = w.mark();
  if (w.accept("of", "in", "each", "every")) {
    w.accept("the", "each", "every");
    if (w.accept("month")) return true;
    w.reset(at);
  }
  return false;
}

function weekdayList(w: Words): string[] {
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
function positionedWeekdays(w: Words): string | undefined {
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
function monthDays(w: Words): { days: string; saidDay: boolean } | undefined {
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
function monthAndDay(w: Words): { month: number; day: number } | undefined {
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

/** The anchor's month, for "yearly on the 15th" (the 15th of the month the series starts in). */
export interface PhraseContext {
  startMonth?: number;
}

function onClause(w: Words, parts: Parts, context: PhraseContext) {
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

function atClause(w: Words, parts: Parts) {
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

function endClause(w: Words, parts: Parts) {
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
