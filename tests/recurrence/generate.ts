/**
 * Cases for the differential suite: the edge table (every FREQ × BY part, month ends, leap days,
 * ISO weeks, WKST, BYSETPOS, COUNT/UNTIL in each form) and a seeded generator of valid rules,
 * each across zones with unusual rules and starts clustered around their DST transitions.
 */
import { instantOf, Zone } from "@nudge/recurrence";

export const ZONES = [
  "Europe/Berlin",
  "America/New_York",
  "Australia/Lord_Howe",
  "Pacific/Chatham",
  "Africa/Casablanca",
  "Europe/Dublin",
  "America/Sao_Paulo",
  "Asia/Kolkata",
  "UTC",
];

/** mulberry32: a seeded generator, so a failure names a seed that reproduces it. */
export function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
export type Random = ReturnType<typeof random>;
const pick = <T>(r: Random, items: readonly T[]) => items[Math.floor(r() * items.length)] as T;
const some = <T>(r: Random, items: readonly T[], max: number) => {
  const n = 1 + Math.floor(r() * max);
  return [...new Set(Array.from({ length: n }, () => pick(r, items)))];
};

export interface DifferentialCase {
  id: string;
  /** As a client would send it (UNTIL in any of its forms). */
  rule: string;
  start: number; // epoch seconds
  zone: string;
}

const iso = (epoch: number) => new Date(epoch * 1000).toISOString();
const compact = (date: Date) => date.toISOString().slice(0, 19).replace(/[-:]/g, "");

/** UNTIL placeholders: {DATE+n} a date n days after the start (wall clock), {FLOAT+nH}, {UTC+nD}. */
function untilFor(rule: string, start: number, zone: string): string {
  const wall = new Date(Zone.of(zone).floatingOf(start) * 1000);
  return rule
    .replace(/\{DATE\+(\d+)\}/, (_, d) =>
      compact(new Date(wall.getTime() + Number(d) * 86_400_000)).slice(0, 8),
    )
    .replace(/\{FLOAT\+(\d+)H\}/, (_, h) => compact(new Date(wall.getTime() + Number(h) * 3_600_000)))
    .replace(/\{UTC\+(\d+)D\}/, (_, d) => `${compact(new Date((start + Number(d) * 86_400) * 1000))}Z`);
}

export const EDGE_RULES = [
  "FREQ=YEARLY",
  "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
  "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1",
  "FREQ=YEARLY;BYYEARDAY=366",
  "FREQ=YEARLY;BYYEARDAY=-1,1",
  "FREQ=YEARLY;BYWEEKNO=1;BYDAY=MO",
  "FREQ=YEARLY;BYWEEKNO=53;BYDAY=TH",
  "FREQ=YEARLY;BYWEEKNO=-1;BYDAY=SU;WKST=SU",
  "FREQ=YEARLY;BYWEEKNO=1,52;BYDAY=MO,SU;WKST=SU",
  "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
  "FREQ=YEARLY;BYMONTH=3,11;BYDAY=1SU,2SU;BYHOUR=1,2;BYMINUTE=30",
  "FREQ=YEARLY;BYMONTH=3,4,9,10;BYDAY=-1SU,1SU;BYHOUR=2,3;BYMINUTE=0,30",
  "FREQ=YEARLY;BYDAY=-1FR",
  "FREQ=YEARLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
  "FREQ=MONTHLY;BYMONTHDAY=31",
  "FREQ=MONTHLY;BYMONTHDAY=29,30,31;BYSETPOS=-1",
  "FREQ=MONTHLY;BYMONTHDAY=-1;BYHOUR=23;BYMINUTE=59;BYSECOND=59",
  "FREQ=MONTHLY;BYDAY=5FR",
  "FREQ=MONTHLY;BYDAY=-1MO,1MO",
  "FREQ=MONTHLY;INTERVAL=3;BYDAY=2TU;COUNT=5",
  "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=28,29",
  "FREQ=MONTHLY;BYDAY=SU;BYHOUR=0,1,2,3",
  "FREQ=WEEKLY;BYDAY=SA,SU",
  "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,SU;WKST=SU",
  "FREQ=WEEKLY;INTERVAL=3;BYDAY=TU,TH;WKST=TH",
  "FREQ=WEEKLY;BYDAY=MO,WE,FR;BYSETPOS=1,-1",
  "FREQ=WEEKLY;BYMONTH=3,4,9,10;BYDAY=SU;BYHOUR=1,2,3",
  "FREQ=DAILY;BYHOUR=0,1,2,3;BYMINUTE=30",
  "FREQ=DAILY;INTERVAL=7;BYMONTH=1,7",
  "FREQ=DAILY;BYMONTHDAY=1,15,-1;BYDAY=MO,TU,WE,TH,FR",
  "FREQ=DAILY;BYHOUR=2;BYMINUTE=0,15,30,45;BYSETPOS=2,-1",
  "FREQ=DAILY;COUNT=4",
  "FREQ=DAILY;UNTIL={DATE+10}",
  "FREQ=DAILY;UNTIL={UTC+5D}",
  // UNTIL within the occurrences listed, so each form's reading decides the list: a date counts
  // to its end in the zone; a floating time a day after a start on a transition's eve lands on it.
  "FREQ=DAILY;UNTIL={DATE+3}",
  "FREQ=HOURLY;INTERVAL=4;UNTIL={DATE+0}",
  "FREQ=HOURLY;INTERVAL=4;UNTIL={FLOAT+24H}",
  "FREQ=HOURLY",
  "FREQ=HOURLY;INTERVAL=5",
  "FREQ=HOURLY;BYHOUR=0,1,2,3,4;BYMINUTE=0,30",
  "FREQ=HOURLY;INTERVAL=2;BYMINUTE=15,45;BYSETPOS=-1",
  "FREQ=HOURLY;BYDAY=SU;BYMONTHDAY=-7,-6,-5,-4,-3,-2,-1",
  "FREQ=HOURLY;COUNT=6",
  "FREQ=HOURLY;UNTIL={FLOAT+30H}",
  "FREQ=MINUTELY;INTERVAL=30",
  "FREQ=MINUTELY;INTERVAL=40",
  "FREQ=MINUTELY;INTERVAL=45;BYHOUR=1,2,3",
  "FREQ=MINUTELY;INTERVAL=7;BYMINUTE=0,7,14,21,28",
  "FREQ=MINUTELY;BYSECOND=0,30;COUNT=8",
  "FREQ=SECONDLY;INTERVAL=1800",
  "FREQ=SECONDLY;INTERVAL=97;BYMINUTE=0,30",
];

/** The zone's offset changes in [from, to] (UTC years), from the runtime's tz data. */
const transitionsOf = (zone: string, from: number, to: number) =>
  Zone.of(zone)
    .transitions(from, to)
    .map(([at]) => at);

const localInstant = (zone: string, y: number, m: number, d: number, h: number, min: number) =>
  Math.floor(
    instantOf({ year: y, month: m, day: d, hour: h, minute: min, second: 0 }, zone).getTime() / 1000,
  );

/** Starts for the edge table: a day before each 2026 transition (so the next day hits it), inside the second pass of a repeated hour, a leap day's eve, a year's end. */
export function edgeStarts(zone: string): number[] {
  const starts = transitionsOf(zone, 2026, 2026).flatMap((t) => [t - 86_400 + 1800, t + 1800]);
  starts.push(localInstant(zone, 2028, 2, 28, 22, 30), localInstant(zone, 2026, 12, 31, 23, 30));
  return starts;
}

export function edgeCases(): DifferentialCase[] {
  return EDGE_RULES.flatMap((rule, r) =>
    ZONES.flatMap((zone) =>
      edgeStarts(zone).map((start, s) => ({
        id: `edge-${r}-${zone}-${s}`,
        rule: untilFor(rule, start, zone),
        start,
        zone,
      })),
    ),
  );
}

/** A start near one of the zone's transitions in 2025–2032 (or anywhere in those years). */
function randomStart(r: Random, zone: string): number {
  const transitions = transitionsOf(zone, 2025, 2032);
  const second = r() < 0.5 ? 0 : Math.floor(r() * 60);
  if (transitions.length && r() < 0.8) {
    const t = pick(r, transitions);
    const minutes = Math.floor((r() * 2 - 1) * 3 * 24 * 60);
    return t + minutes * 60 - ((((t + minutes * 60) % 60) + 60) % 60) + second;
  }
  const from = Date.UTC(2025, 0, 1) / 1000;
  return from + Math.floor(r() * 8 * 365 * 86_400);
}

const MONTH_DAYS = [1, 2, 13, 15, 28, 29, 30, 31, -1, -2, -3, -7];
const YEAR_DAYS = [1, 2, 59, 60, 100, 200, 365, 366, -1, -2, -366];
const WEEK_NOS = [1, 2, 10, 20, 26, 52, 53, -1, -2];
const WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
const HOURS = [0, 1, 2, 3, 4, 9, 12, 23];
const MINUTES = [0, 15, 30, 45, 59];
const SET_POSITIONS = [1, 2, 3, -1, -2];

/** A rule valid by RFC 5545 §3.3.10 (parts only where FREQ allows them). */
export function randomRule(r: Random): string {
  const freq = pick(r, ["YEARLY", "MONTHLY", "WEEKLY", "DAILY", "DAILY", "HOURLY", "MINUTELY", "SECONDLY"]);
  const parts = [`FREQ=${freq}`];
  const chance = (p: number) => r() < p;
  const intervals: Record<string, number[]> = {
    YEARLY: [1, 1, 1, 2, 3],
    MONTHLY: [1, 1, 2, 3, 6],
    WEEKLY: [1, 1, 2, 3],
    DAILY: [1, 1, 2, 3, 10],
    HOURLY: [1, 1, 2, 3, 5, 7],
    MINUTELY: [1, 15, 20, 30, 40, 45, 90],
    SECONDLY: [900, 1800, 3600],
  };
  const interval = pick(r, intervals[freq] as number[]);
  if (interval !== 1) parts.push(`INTERVAL=${interval}`);
  const yearly = freq === "YEARLY";
  const subDaily = freq === "HOURLY" || freq === "MINUTELY" || freq === "SECONDLY";
  // At most two day filters: more mostly make rules that never match, which prove little.
  let filters = 0;
  const room = () => filters < (freq === "SECONDLY" ? 1 : 2);
  let byMonth = false;
  if (chance(yearly ? 0.6 : 0.2)) {
    byMonth = true;
    filters++;
    parts.push(`BYMONTH=${some(r, [1, 2, 3, 4, 6, 9, 10, 11, 12], 3).join(",")}`);
  }
  let byWeekNo = false;
  if (yearly && room() && chance(0.15)) {
    byWeekNo = true;
    filters++;
    parts.push(`BYWEEKNO=${some(r, WEEK_NOS, 2).join(",")}`);
  }
  if ((yearly || subDaily) && !byMonth && room() && chance(0.15)) {
    filters++;
    parts.push(`BYYEARDAY=${some(r, YEAR_DAYS, 3).join(",")}`);
  }
  let setSize = 1;
  if (freq !== "WEEKLY" && room() && chance(0.3)) {
    filters++;
    const days = some(r, MONTH_DAYS, 3);
    if (yearly || freq === "MONTHLY") setSize *= days.length;
    parts.push(`BYMONTHDAY=${days.join(",")}`);
  }
  if (room() && chance(0.45)) {
    filters++;
    const numbered = (freq === "MONTHLY" || (yearly && !byWeekNo)) && chance(0.5);
    const range =
      freq === "MONTHLY" || byMonth ? [1, 2, 3, 4, 5, -1, -2] : [1, 2, 10, 20, 52, 53, -1, -2, -53];
    const days = some(r, WEEKDAYS, 3).map((d) => (numbered ? `${pick(r, range)}${d}` : d));
    if (yearly || freq === "MONTHLY" || freq === "WEEKLY") setSize *= days.length;
    parts.push(`BYDAY=${days.join(",")}`);
  }
  const times = (key: string, values: number[], max: number) => {
    const list = some(r, values, max);
    // Only the parts RFC 5545 lets expand this FREQ make a period's set bigger.
    const limits =
      (subDaily && key === "BYHOUR") || ((freq === "MINUTELY" || freq === "SECONDLY") && key === "BYMINUTE");
    if (!limits) setSize *= list.length;
    parts.push(`${key}=${list.join(",")}`);
  };
  if (chance(subDaily ? 0.3 : 0.35)) times("BYHOUR", HOURS, 3);
  if (chance(0.3) && freq !== "SECONDLY") times("BYMINUTE", MINUTES, 2);
  if (chance(0.08) && freq !== "SECONDLY" && freq !== "MINUTELY") times("BYSECOND", [0, 30], 2);
  // BYSETPOS picks within each period's set: only where that set has more than one member.
  if (setSize > 1 && chance(0.25)) {
    const positions = SET_POSITIONS.filter((p) => Math.abs(p) <= Math.min(3, setSize));
    parts.push(`BYSETPOS=${some(r, positions, 2).join(",")}`);
  }
  if (chance(0.15)) parts.push(`WKST=${pick(r, WEEKDAYS)}`);
  if (chance(0.25)) parts.push(`COUNT=${1 + Math.floor(r() * 10)}`);
  else if (chance(0.25)) {
    const form = pick(r, ["{DATE+", "{FLOAT+", "{UTC+"]);
    const n = 1 + Math.floor(r() * (subDaily ? 3 : 400));
    parts.push(`UNTIL=${form}${n}${form === "{FLOAT+" ? "H" : form === "{UTC+" ? "D" : ""}}`);
  }
  return parts.join(";");
}

export function randomCases(seed: number, n: number): DifferentialCase[] {
  const r = random(seed);
  return Array.from({ length: n }, (_, i) => {
    const zone = pick(r, ZONES);
    const start = randomStart(r, zone);
    return { id: `random-${seed}-${i}`, rule: untilFor(randomRule(r), start, zone), start, zone };
  });
}

export { iso };
