/**
 * Nudge's recurrence engine: the one place a rule is evaluated (task-api's create, patch,
 * preview and occurrences; recurrence-service's nextOccurrence workflow).
 *
 * A series is {DTSTART, the rule's candidates after it}: the start instant is always occurrence
 * 0, whichever fold of a repeated hour it is in. Candidates are computed on the wall clock of the
 * series' zone (RFC 5545 local time) and each becomes an instant by the zone's gap and overlap
 * rules (zone.ts); the series is those instants in time order, without duplicates, none before
 * the start. COUNT counts the series' occurrences by their index, so it holds in every mode.
 * Each next occurrence is found from the previous one (the engine seeks to its period), within
 * the budget of budget.ts.
 */
import { Budget, LIMITS, RecurrenceBudgetExceeded } from "./budget.ts";
import { SECONDS_PER_DAY } from "./calendar.ts";
import { Expansion } from "./expand.ts";
import { unreachableTimes } from "./reach.ts";
import { parseRule, type Rule } from "./rule.ts";
import { dateOf, epochSeconds, Zone } from "./zone.ts";

export interface Series {
  /** Normalized RRULE text without DTSTART, e.g. FREQ=WEEKLY;BYDAY=MO,TH. */
  rule: string;
  /** DTSTART: the series' first occurrence (index 0). */
  anchor: Date;
  timeZone: string;
}

export interface Occurrence {
  at: Date;
  /** 0 for the start. */
  index: number;
}

interface Compiled {
  rule: Rule;
  zone: Zone;
  start: number; // epoch seconds
  expansion: Expansion;
}

const compiled = new Map<string, Compiled>();

function compile(series: Series): Compiled {
  const start = epochSeconds(series.anchor);
  const key = `${series.rule}|${start}|${series.timeZone}`;
  let c = compiled.get(key);
  if (c) return c;
  const parsed = parseRule(series.rule, series.timeZone);
  if (!parsed.ok) throw new Error(`stored rule ${series.rule} no longer parses: ${parsed.message}`);
  const zone = Zone.of(series.timeZone);
  c = { rule: parsed.rule, zone, start, expansion: new Expansion(parsed.rule, zone.floatingOf(start)) };
  if (compiled.size >= 10_000) compiled.clear();
  compiled.set(key, c);
  return c;
}

export type Step = { at: number } | { end: "until" | "horizon" };

const HORIZON = LIMITS.horizonYears * 366 * SECONDS_PER_DAY;

/** The first candidate instant strictly after `after` (epoch seconds), or why there is none. */
function stepAfter(c: Compiled, after: number, budget: Budget): Step {
  const { zone, rule } = c;
  // Around a transition, wall-clock order and instant order differ by up to the offset change:
  // start that much earlier on the wall clock, and look that much past the first hit.
  const slack = zone.slackAround(after);
  const from = zone.floatingOf(after) - slack;
  const horizonEnd = from + slack + HORIZON;
  let to = horizonEnd;
  if (rule.until !== undefined) to = Math.min(to, zone.floatingOf(rule.until) + SECONDS_PER_DAY);
  let best: number | null = null;
  let stopAt = Number.POSITIVE_INFINITY;
  for (const candidate of c.expansion.from(from, to, budget)) {
    if (candidate > stopAt || candidate > horizonEnd) break;
    const instant = zone.instantOf(candidate);
    if (instant <= after || instant <= c.start) continue;
    if (best === null || instant < best) {
      best = instant;
      if (stopAt === Number.POSITIVE_INFINITY) stopAt = candidate + zone.slackAround(instant);
    }
  }
  if (best === null) return { end: to < horizonEnd ? "until" : "horizon" };
  if (rule.until !== undefined && best > rule.until) return { end: "until" };
  return { at: best };
}

function countReached(c: Compiled, index: number) {
  return c.rule.count !== undefined && index + 1 >= c.rule.count;
}

/** The occurrence after `previous`, or null when the series has ended (COUNT, UNTIL, horizon). */
export function nextOccurrence(
  series: Series,
  previous: Occurrence,
  budget = new Budget(),
): Occurrence | null {
  const c = compile(series);
  if (countReached(c, previous.index)) return null;
  const step = stepAfter(c, epochSeconds(previous.at), budget);
  return "at" in step ? { at: dateOf(step.at), index: previous.index + 1 } : null;
}

/**
 * Up to `count` occurrences after `previous`, sharing one list budget: when it is spent the list
 * stops early (it is never empty for want of budget: then RecurrenceBudgetExceeded is thrown).
 */
export function occurrencesAfter(series: Series, previous: Occurrence, count: number): Occurrence[] {
  const budget = Budget.forList();
  const list: Occurrence[] = [];
  let cursor: Occurrence | null = previous;
  try {
    while (list.length < count && cursor) {
      cursor = nextOccurrence(series, cursor, budget);
      if (cursor) list.push(cursor);
    }
  } catch (error) {
    if (!(error instanceof RecurrenceBudgetExceeded) || list.length === 0) throw error;
  }
  return list;
}

/** The series from its start: the start itself, then up to `count - 1` more. */
export function seriesFromStart(series: Series, count: number): Occurrence[] {
  const first = { at: series.anchor, index: 0 };
  return [first, ...occurrencesAfter(series, first, count - 1)];
}

export interface NextDueOptions {
  /** "due": after the current due date (default); "completion": the rule restarts at completion. */
  mode?: "due" | "completion";
  /** Skip occurrences already past at `now` (a long-overdue daily task yields tomorrow). */
  skipMissed?: boolean;
}

export interface CompletedOccurrence {
  dueAt: Date;
  index: number;
  completedAt: Date;
}

/**
 * When the series continues after a completed occurrence, or null when it has ended. In
 * completion mode the rule restarts at the completion: on its day at the series' time of day
 * (sub-daily rules: at its hour or minute, with the series' minutes and seconds), and the next
 * due is one step after that restart. COUNT counts occurrences in every mode.
 */
export function nextDue(
  series: Series,
  completed: CompletedOccurrence,
  now: Date,
  options: NextDueOptions = {},
): Occurrence | null {
  const c = compile(series);
  if (countReached(c, completed.index)) return null;
  let basis = c;
  let after = epochSeconds(completed.dueAt);
  if (options.mode === "completion") {
    const restart = restartAt(c, epochSeconds(completed.completedAt));
    basis = compile({ ...series, anchor: dateOf(restart) });
    after = restart;
  }
  if (options.skipMissed) after = Math.max(after, epochSeconds(now));
  const step = stepAfter(basis, after, new Budget());
  return "at" in step ? { at: dateOf(step.at), index: completed.index + 1 } : null;
}

function restartAt(c: Compiled, completedAt: number): number {
  const unit = { HOURLY: 3600, MINUTELY: 60, SECONDLY: 1 }[c.rule.freq as string] ?? SECONDS_PER_DAY;
  const done = c.zone.floatingOf(completedAt);
  const startOfSeries = c.zone.floatingOf(c.start);
  const within = ((startOfSeries % unit) + unit) % unit;
  return c.zone.instantOf(done - (((done % unit) + unit) % unit) + within);
}

/**
 * Whether a rule may be written for a series starting at `anchor`: its first occurrences after
 * the start (up to COUNT/UNTIL) must each come within the horizon and within the budget. A rule
 * that never matches, or only absurdly rarely, is refused with the reason.
 */
export function admissionProblem(series: Series): string | null {
  const c = compile(series);
  const unreachable = unreachableTimes(c.rule, c.expansion.start);
  if (unreachable) return unreachable;
  let after = c.start;
  for (let index = 0; index < LIMITS.admissionOccurrences && !countReached(c, index); index++) {
    let step: Step;
    try {
      step = stepAfter(c, after, new Budget());
    } catch (error) {
      if (!(error instanceof RecurrenceBudgetExceeded)) throw error;
      return `the rule never matches, or too rarely to evaluate: no occurrence found within the recurrence budget (${LIMITS.stepsPerOccurrence} steps)`;
    }
    if ("end" in step) {
      if (step.end === "until") return null;
      return `the rule never matches, or too rarely: no occurrence within ${LIMITS.horizonYears} years of ${dateOf(after).toISOString()}`;
    }
    after = step.at;
  }
  return null;
}
