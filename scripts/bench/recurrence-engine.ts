/**
 * `bun run bench recurrence-engine`: what one next occurrence costs in the recurrence engine
 * (packages/recurrence, the code task-api and recurrence-service run), per frequency, for a
 * series started a day ago and one started five years ago, each step computed from the previous
 * occurrence, with the engine's budget steps per occurrence. Prints numbers, no verdicts.
 */
import { Budget, nextOccurrence, type Occurrence, type Series } from "../../packages/recurrence/src/index.ts";
import { fixed, loadAverage, table } from "./task-api/report.ts";
import { median } from "./task-api/stats.ts";

const USAGE = `bun run bench recurrence-engine [--steps 2000] [--rounds 7] [--zone Europe/Berlin]
  --steps    next occurrences per round, each from the previous one
  --rounds   rounds per series (the median is reported)
  --zone     the series' time zone`;

const RULES = [
  "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=1",
  "FREQ=MONTHLY;BYDAY=-1FR",
  "FREQ=WEEKLY;BYDAY=MO,TH",
  "FREQ=DAILY",
  "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29",
  "FREQ=HOURLY",
  "FREQ=MINUTELY;INTERVAL=15",
  "FREQ=SECONDLY;INTERVAL=30",
];
const AGES: Array<[string, number]> = [
  ["1 day", 86_400_000],
  ["5 years", 5 * 365 * 86_400_000],
];

function parse(args: string[]) {
  const options = { steps: 2000, rounds: 7, zone: "Europe/Berlin" };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    if (flag === "--help") return console.log(USAGE);
    const value = args[++i] ?? "";
    if (flag === "--zone") options.zone = value;
    else if (flag === "--steps" || flag === "--rounds") {
      const n = Number(value);
      if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} needs a positive integer\n${USAGE}`);
      options[flag === "--steps" ? "steps" : "rounds"] = n;
    } else throw new Error(`unknown option ${flag}\n${USAGE}`);
  }
  return options;
}

/** The series' occurrence at or just after `now`, found once (from the anchor, so not timed). */
function occurrenceNear(series: Series, now: Date): Occurrence {
  return nextOccurrence(series, { at: new Date(now.getTime() - 1000), index: 1 }) as Occurrence;
}

function measure(series: Series, from: Occurrence, steps: number, rounds: number) {
  const perRound: number[] = [];
  let budgetSteps = 0;
  for (let round = 0; round < rounds + 1; round++) {
    let cursor: Occurrence | null = from;
    const budget = new Budget(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    const began = performance.now();
    for (let i = 0; i < steps && cursor; i++) cursor = nextOccurrence(series, cursor, budget);
    const elapsed = performance.now() - began;
    if (round > 0) perRound.push((elapsed * 1000) / steps); // round 0 warms up
    budgetSteps = budget.used / steps;
  }
  return { median: median(perRound), min: Math.min(...perRound), max: Math.max(...perRound), budgetSteps };
}

export async function run(args: string[]): Promise<void> {
  const options = parse(args);
  if (!options) return;
  const now = new Date();
  console.log(`recurrence engine, zone ${options.zone}: µs per next occurrence, each from the previous one`);
  console.log(
    `(${options.steps} steps a round, median of ${options.rounds} rounds; load average ${loadAverage()})`,
  );
  const rows: string[][] = [];
  for (const rule of RULES) {
    for (const [age, ms] of AGES) {
      const series = { rule, anchor: new Date(now.getTime() - ms), timeZone: options.zone };
      const from = occurrenceNear(series, now);
      const r = measure(series, from, options.steps, options.rounds);
      rows.push([rule, age, fixed(r.median, 2), fixed(r.min, 2), fixed(r.max, 2), fixed(r.budgetSteps, 1)]);
    }
  }
  console.log(table(["rule", "series age", "µs/step median", "min", "max", "budget steps/step"], rows));
  console.log(`load average at the end: ${loadAverage()}`);
}
