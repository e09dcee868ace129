/**
 * A checked rule in plain English, so a client can show the user what was understood:
 * "every 2 weeks on Monday and Thursday at 9:00", "every year on the 4th Thursday of November",
 * "every month on the last day, 12 times". It describes every part of the rule; the times
 * are the series' wall clock, UNTIL is shown in the series' zone.
 */
import type { ByDay, Rule } from "./rule.ts";
import { Zone } from "./zone.ts";

const DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const MONTH_NAMES = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const UNITS: Record<Rule["freq"], string> = {
  YEARLY: "year",
  MONTHLY: "month",
  WEEKLY: "week",
  DAILY: "day",
  HOURLY: "hour",
  MINUTELY: "minute",
  SECONDLY: "second",
};

export function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  return `${n}${teen ? "th" : (["th", "st", "nd", "rd"][n % 10] ?? "th")}`;
}

/** 1 → "1st", -1 → "last", -2 → "2nd-to-last". */
const position = (n: number) => (n > 0 ? ordinal(n) : n === -1 ? "last" : `${ordinal(-n)}-to-last`);

export function list(items: string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

function days(byDay: ByDay[], scope: string): string {
  const plain = byDay.filter((d) => d.n === 0).map((d) => d.weekday);
  const key = plain.join(",");
  const names: string[] = [];
  if (key === "0,1,2,3,4") names.push("weekdays");
  else if (key === "5,6") names.push("weekends");
  else if (key === "0,1,2,3,4,5,6") names.push("every day of the week");
  else names.push(...plain.map((d) => DAY_NAMES[d] as string));
  const numbered = byDay.filter((d) => d.n !== 0).map((d) => `the ${position(d.n)} ${DAY_NAMES[d.weekday]}`);
  return `on ${list([...names, ...numbered])}${numbered.length && scope ? ` ${scope}` : ""}`;
}

const pad = (n: number) => String(n).padStart(2, "0");

function times(rule: Rule): string | null {
  const hours = rule.byHour;
  const minutes = rule.byMinute;
  const seconds = rule.bySecond?.filter((s) => s !== 0).length ? rule.bySecond : undefined;
  if (rule.freq === "HOURLY" || rule.freq === "MINUTELY" || rule.freq === "SECONDLY") {
    const parts: string[] = [];
    if (hours)
      parts.push(`during the hour${hours.length > 1 ? "s" : ""} ${list(hours.map((h) => `${h}:00`))}`);
    if (minutes) parts.push(`at minute${minutes.length > 1 ? "s" : ""} ${list(minutes.map(String))}`);
    if (seconds) parts.push(`at second${seconds.length > 1 ? "s" : ""} ${list(seconds.map(String))}`);
    return parts.length ? parts.join(", ") : null;
  }
  if (!hours && !minutes && !seconds) return null;
  if (hours && hours.length * (minutes?.length ?? 1) * (seconds?.length ?? 1) <= 8) {
    const all = hours.flatMap((h) =>
      (minutes ?? [0]).flatMap((m) =>
        (seconds ?? [undefined]).map((s) => `${h}:${pad(m)}${s === undefined ? "" : `:${pad(s)}`}`),
      ),
    );
    return `at ${list(all)}`;
  }
  const parts: string[] = [];
  if (hours) parts.push(`at hour${hours.length > 1 ? "s" : ""} ${list(hours.map(String))}`);
  if (minutes) parts.push(`at minute${minutes.length > 1 ? "s" : ""} ${list(minutes.map(String))}`);
  if (seconds) parts.push(`at second${seconds.length > 1 ? "s" : ""} ${list(seconds.map(String))}`);
  return parts.join(", ");
}

function monthDays(values: number[]): string {
  const last = values.length === 1 && values[0] === -1;
  if (last) return "on the last day";
  return `on the ${list(values.map((v) => (v > 0 ? ordinal(v) : `${position(v)} day`)))}`;
}

export function describeRule(rule: Rule, timeZone: string): string {
  const unit = UNITS[rule.freq];
  const parts = [rule.interval === 1 ? `every ${unit}` : `every ${rule.interval} ${unit}s`];
  const months = rule.byMonth?.map((m) => MONTH_NAMES[m - 1] as string);
  // "every year on March 1" reads better than "every year in March on the 1st".
  const single =
    rule.freq === "YEARLY" &&
    months?.length === 1 &&
    rule.byMonthDay?.length === 1 &&
    (rule.byMonthDay[0] as number) > 0 &&
    !rule.byDay;
  if (single) parts.push(`on ${months?.[0]} ${rule.byMonthDay?.[0]}`);
  if (rule.byWeekNo)
    parts.push(
      `in week${rule.byWeekNo.length > 1 ? "s" : ""} ${list(rule.byWeekNo.map((w) => (w > 0 ? String(w) : `${position(w)}`)))}`,
    );
  if (rule.byYearDay)
    parts.push(
      `on the ${list(rule.byYearDay.map((d) => (d > 0 ? ordinal(d) : position(d))))} day of the year`,
    );
  if (rule.byMonthDay && !single) parts.push(monthDays(rule.byMonthDay));
  if (rule.byDay) {
    const scope =
      rule.freq === "MONTHLY"
        ? ""
        : rule.freq === "YEARLY"
          ? months
            ? `of ${list(months)}`
            : "of the year"
          : "";
    parts.push(days(rule.byDay, scope));
    // "the 4th Thursday of November" already names the month.
    const named = rule.freq === "YEARLY" && rule.byDay.some((d) => d.n !== 0);
    if (months && !named) parts.push(`in ${list(months)}`);
  } else if (months && !single) parts.push(`in ${list(months)}`);
  const at = times(rule);
  if (at) parts.push(at);
  if (rule.bySetPos) parts.push(`(only the ${list(rule.bySetPos.map(position))} of those each ${unit})`);
  if (rule.wkst !== 0) parts.push(`(weeks start on ${DAY_NAMES[rule.wkst]})`);
  let text = parts.join(" ");
  if (rule.count !== undefined) text += rule.count === 1 ? ", once" : `, ${rule.count} times`;
  if (rule.until !== undefined) {
    const wall = new Date(Zone.of(timeZone).floatingOf(rule.until) * 1000).toISOString();
    text += `, until ${wall.slice(0, 10)} ${wall.slice(11, 16)} (${timeZone})`;
  }
  return text;
}
