import { RRule } from "rrule";

export type ParsedRrule = { ok: true; rule: string } | { ok: false; message: string };

const FREQUENCIES = new Set(["YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY", "MINUTELY", "SECONDLY"]);
const WEEKDAY = /^[+-]?\d{0,2}(MO|TU|WE|TH|FR|SA|SU)$/;
const INTEGER_LIST = /^[+-]?\d{1,3}(,[+-]?\d{1,3})*$/;

/** RFC 5545 §3.3.10 parts Nudge accepts, with a check for each value. */
const PARTS: Record<string, (value: string) => string | undefined> = {
  FREQ: (v) => (FREQUENCIES.has(v) ? undefined : `FREQ must be one of ${[...FREQUENCIES].join(", ")}`),
  INTERVAL: (v) => (/^[1-9]\d{0,3}$/.test(v) ? undefined : "INTERVAL must be a positive integer"),
  COUNT: (v) => (/^[1-9]\d{0,4}$/.test(v) ? undefined : "COUNT must be a positive integer"),
  UNTIL: (v) =>
    /^\d{8}(T\d{6}Z?)?$/.test(v)
      ? undefined
      : "UNTIL must be a date (YYYYMMDD) or UTC date-time (YYYYMMDDTHHMMSSZ)",
  BYDAY: (v) =>
    v.split(",").every((d) => WEEKDAY.test(d)) ? undefined : "BYDAY must list weekdays such as MO,TH or -1FR",
  WKST: (v) => (/^(MO|TU|WE|TH|FR|SA|SU)$/.test(v) ? undefined : "WKST must be a weekday"),
  BYMONTHDAY: (v) => (INTEGER_LIST.test(v) ? undefined : "BYMONTHDAY must list day numbers"),
  BYMONTH: (v) => (INTEGER_LIST.test(v) ? undefined : "BYMONTH must list month numbers"),
  BYYEARDAY: (v) => (INTEGER_LIST.test(v) ? undefined : "BYYEARDAY must list day numbers"),
  BYWEEKNO: (v) => (INTEGER_LIST.test(v) ? undefined : "BYWEEKNO must list week numbers"),
  BYSETPOS: (v) => (INTEGER_LIST.test(v) ? undefined : "BYSETPOS must list positions"),
  BYHOUR: (v) => (INTEGER_LIST.test(v) ? undefined : "BYHOUR must list hours"),
  BYMINUTE: (v) => (INTEGER_LIST.test(v) ? undefined : "BYMINUTE must list minutes"),
  BYSECOND: (v) => (INTEGER_LIST.test(v) ? undefined : "BYSECOND must list seconds"),
};

/**
 * Validate RRULE text (an `RRULE:` prefix is accepted) and return it normalized. The rrule
 * library alone is lenient (it accepts a missing FREQ or INTERVAL=x), so every part is checked.
 */
export function parseRruleText(text: string): ParsedRrule {
  const body = text
    .trim()
    .replace(/^RRULE:/i, "")
    .toUpperCase();
  if (!body) return { ok: false, message: "the rule is empty" };
  const seen = new Set<string>();
  for (const part of body.split(";")) {
    const [key, value, extra] = part.split("=");
    if (!key || value === undefined || extra !== undefined || value === "") {
      return { ok: false, message: `'${part}' is not KEY=VALUE` };
    }
    const check = PARTS[key];
    if (!check) return { ok: false, message: `unknown or unsupported part ${key}` };
    if (seen.has(key)) return { ok: false, message: `${key} appears twice` };
    seen.add(key);
    const problem = check(value);
    if (problem) return { ok: false, message: problem };
  }
  if (!seen.has("FREQ")) return { ok: false, message: "FREQ is required" };
  if (seen.has("COUNT") && seen.has("UNTIL"))
    return { ok: false, message: "COUNT and UNTIL cannot both be set" };
  try {
    const rule = new RRule(RRule.parseString(body)).toString().replace(/^RRULE:/, "");
    return { ok: true, rule };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}
