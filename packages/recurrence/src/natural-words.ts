/**
 * The words a recurrence phrase is made of: weekdays, months, ordinals, number words, frequency
 * adverbs and units, and the reader that walks a phrase word by word (natural-text.ts).
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
export const WORKDAYS = "MO,TU,WE,TH,FR";
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
export const ORDINAL_WORDS: Record<string, number> = {
  first: 1,
  second: 2,
  third: 3,
  fourth: 4,
  fifth: 5,
  last: -1,
};
export const NUMBER_WORDS: Record<string, number> = {
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
export const ADVERBS: Record<string, [string, number]> = {
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
export const UNITS: Record<string, [string, number]> = {
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
export const WORKDAY_WORDS = new Set(["weekday", "weekdays", "workday", "workdays", "business"]);

export class Unparsed extends Error {}
export const fail = (message: string): never => {
  throw new Unparsed(message);
};

export const singular = (word: string | undefined) =>
  word && word.length > 2 ? word.replace(/s$/, "") : word;
export const weekday = (word: string | undefined) => (word ? WEEKDAYS[singular(word) as string] : undefined);
export const month = (word: string | undefined) =>
  word && word.length >= 3 ? MONTHS.findIndex((name) => name.startsWith(word)) + 1 || undefined : undefined;
/** "15", "15th", "1st", "first" (days of the month are 1–31). */
export function dayNumber(word: string | undefined): number | undefined {
  const match = word ? /^(\d{1,2})(st|nd|rd|th)?$/.exec(word) : null;
  const day = match ? Number(match[1]) : word ? ORDINAL_WORDS[word] : 0;
  return day && day >= 1 && day <= 31 ? day : undefined;
}

/** Reads the words left to right; every helper consumes what it understood. */
export class Words {
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

export type Parts = Record<string, string>;
