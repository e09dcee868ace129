/**
 * A small, strict grammar for the recurrences people type: "every weekday at 9am", "every 2 weeks
 * on monday and thursday", "monthly on the last friday", "every 3 days", "yearly on march 1".
 * rrule's own `fromText` is lenient (it ignores trailing words and reads "every weekend" as plain
 * weekly), so a phrase is accepted here only when every word has been understood.
 *
 *   phrase := frequency [on …] [at time] [for N times | until YYYY-MM-DD]
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
const ORDINALS: Record<string, number> = { first: 1, second: 2, third: 3, fourth: 4, fifth: 5, last: -1 };
const ADVERBS: Record<string, string> = {
  hourly: "HOURLY",
  daily: "DAILY",
  weekly: "WEEKLY",
  monthly: "MONTHLY",
  yearly: "YEARLY",
  annually: "YEARLY",
};
const UNITS: Record<string, string> = {
  hour: "HOURLY",
  day: "DAILY",
  week: "WEEKLY",
  month: "MONTHLY",
  year: "YEARLY",
};

export const RECURRENCE_HINT =
  'try "every weekday at 9am", "every 2 weeks on monday and thursday", "monthly on the last friday", ' +
  '"every 3 days", "yearly on march 1", or an RRULE such as FREQ=WEEKLY;BYDAY=MO,TH';

class Unparsed extends Error {}

const weekday = (word: string | undefined) => (word ? WEEKDAYS[word.replace(/s$/, "")] : undefined);
const month = (word: string | undefined) =>
  word && word.length >= 3 ? MONTHS.findIndex((name) => name.startsWith(word)) + 1 || undefined : undefined;
const dayNumber = (word: string | undefined) => {
  const match = word ? /^(\d{1,2})(st|nd|rd|th)?$/.exec(word) : null;
  const day = match ? Number(match[1]) : 0;
  return day >= 1 && day <= 31 ? day : undefined;
};

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
  expect(what: string, value: string | number | undefined) {
    if (value === undefined) throw new Unparsed(`expected ${what} ${this.where()}`);
    this.i++;
    return value;
  }
  done = () => this.i >= this.words.length;
  rest = () => this.words.slice(this.i).join(" ");
  where = () => (this.done() ? "at the end" : `at "${this.peek()}"`);
}

type Parts = Record<string, string>;

function frequency(w: Words, parts: Parts) {
  const adverb = ADVERBS[w.peek() ?? ""];
  if (adverb) {
    w.next();
    parts.FREQ = adverb;
    return;
  }
  if (!w.accept("every")) throw new Unparsed('start with "every" or "daily", "weekly", "monthly", "yearly"');
  if (w.accept("weekday")) return Object.assign(parts, { FREQ: "WEEKLY", BYDAY: "MO,TU,WE,TH,FR" });
  if (w.accept("weekend")) return Object.assign(parts, { FREQ: "WEEKLY", BYDAY: "SA,SU" });
  if (weekday(w.peek())) return Object.assign(parts, { FREQ: "WEEKLY", BYDAY: weekdayList(w) });
  let interval = 1;
  if (w.accept("other")) interval = 2;
  else if (/^\d+$/.test(w.peek() ?? "")) {
    interval = Number(w.next());
    if (interval < 1 || interval > 1000) throw new Unparsed("the interval must be between 1 and 1000");
  }
  const unit = UNITS[(w.peek() ?? "").replace(/s$/, "")];
  parts.FREQ = w.expect("day(s), week(s), month(s), year(s) or hour(s)", unit) as string;
  if (interval > 1) parts.INTERVAL = String(interval);
}

function weekdayList(w: Words): string {
  const days = [w.expect("a weekday", weekday(w.peek())) as string];
  while (w.accept(",", "and")) {
    w.accept("and");
    days.push(w.expect("a weekday", weekday(w.peek())) as string);
  }
  return [...new Set(days)].join(",");
}

function onClause(w: Words, parts: Parts) {
  if (!w.accept("on")) return;
  const freq = parts.FREQ;
  if (weekday(w.peek())) {
    if (freq !== "WEEKLY" || parts.BYDAY) throw new Unparsed('"on <weekday>" goes with weekly rules');
    parts.BYDAY = weekdayList(w);
    return;
  }
  const monthFirst = month(w.peek());
  const dayFirst = dayNumber(w.peek());
  if (dayFirst && freq === "MONTHLY") {
    parts.BYMONTHDAY = String(w.expect("a day of the month", dayFirst));
    return;
  }
  if (monthFirst || dayFirst) {
    if (freq !== "YEARLY") throw new Unparsed('"on <month> <day>" goes with yearly rules');
    w.next();
    const day = monthFirst ? w.expect("a day of the month", dayNumber(w.peek())) : dayFirst;
    const theMonth = monthFirst ?? w.expect("a month", month(w.peek()));
    Object.assign(parts, { BYMONTH: String(theMonth), BYMONTHDAY: String(day) });
    return;
  }
  w.expect('"the"', w.peek() === "the" ? "the" : undefined);
  if (freq !== "MONTHLY" && freq !== "YEARLY") throw new Unparsed('"on the …" goes with monthly rules');
  const ordinal = ORDINALS[w.peek() ?? ""];
  if (ordinal !== undefined) {
    w.next();
    if (w.accept("day")) {
      if (ordinal !== -1 && ordinal !== 1) throw new Unparsed('say "the last day" or "the 1st"');
      parts.BYMONTHDAY = String(ordinal);
      return;
    }
    parts.BYDAY = `${ordinal}${w.expect("a weekday", weekday(w.peek()))}`;
    return;
  }
  parts.BYMONTHDAY = String(w.expect("a day of the month such as 15th", dayNumber(w.peek())));
}

function atClause(w: Words, parts: Parts) {
  if (!w.accept("at")) return;
  if (parts.FREQ === "HOURLY") throw new Unparsed('"at <time>" does not go with hourly rules');
  let word = w.next() ?? "";
  if (word === "noon" || word === "midnight") word = word === "noon" ? "12:00" : "0:00";
  const match = /^(\d{1,2})(?::(\d{2}))?(am|pm)?$/.exec(word);
  if (!match) throw new Unparsed(`expected a time such as 9am or 17:30 at "${word}"`);
  const suffix = match[3] ?? w.accept("am", "pm");
  let hour = Number(match[1]);
  const minute = Number(match[2] ?? 0);
  if (suffix && (hour < 1 || hour > 12)) throw new Unparsed(`"${word}" is not a time`);
  if (suffix === "pm" && hour < 12) hour += 12;
  if (suffix === "am" && hour === 12) hour = 0;
  if (hour > 23 || minute > 59) throw new Unparsed(`"${word}" is not a time`);
  Object.assign(parts, { BYHOUR: String(hour), BYMINUTE: String(minute), BYSECOND: "0" });
}

function endClause(w: Words, parts: Parts) {
  if (w.accept("for")) {
    const count = Number(w.next());
    if (!Number.isInteger(count) || count < 1) throw new Unparsed('expected a number after "for"');
    w.accept("times", "occurrences");
    parts.COUNT = String(count);
  } else if (w.accept("until")) {
    const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(w.next() ?? "");
    if (!date) throw new Unparsed('expected a date such as 2030-12-31 after "until"');
    // A date: the whole day counts, in the series' zone (rule.ts reads it so).
    parts.UNTIL = `${date[1]}${date[2]}${date[3]}`;
  }
}

/** RRULE text (unnormalized) for a natural-language phrase, or an error naming what was not understood. */
export function naturalTextToRrule(
  text: string,
): { ok: true; rule: string } | { ok: false; message: string } {
  const words = text
    .toLowerCase()
    .replace(/,/g, " , ")
    .replace(/[.!]+$/, "")
    .split(/\s+/)
    .filter(Boolean);
  const w = new Words(words);
  const parts: Parts = {};
  try {
    frequency(w, parts);
    onClause(w, parts);
    atClause(w, parts);
    endClause(w, parts);
    if (!w.done()) throw new Unparsed(`did not understand "${w.rest()}"`);
  } catch (error) {
    if (error instanceof Unparsed) return { ok: false, message: error.message };
    throw error;
  }
  return {
    ok: true,
    rule: Object.entries(parts)
      .map(([key, value]) => `${key}=${value}`)
      .join(";"),
  };
}
