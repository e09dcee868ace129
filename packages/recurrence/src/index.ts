export { Budget, LIMITS, RecurrenceBudgetExceeded } from "./budget.ts";
export {
  admissionProblem,
  type CompletedOccurrence,
  type NextDueOptions,
  nextDue,
  nextOccurrence,
  type Occurrence,
  occurrencesAfter,
  type Series,
  seriesFromStart,
} from "./engine.ts";
export { RECURRENCE_HINT } from "./natural-text.ts";
export {
  describeRecurrence,
  type ParsedRecurrence,
  parseRecurrence,
  type RecurrenceContext,
} from "./parse.ts";
export {
  addDays,
  instantAtLocalTime,
  instantOf,
  localDay,
  readableWallClock,
  type WallClock,
  wallClockOf,
  Zone,
} from "./zone.ts";
