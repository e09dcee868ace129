export { RECURRENCE_HINT } from "./natural-text.ts";
export {
  type NextDueOptions,
  nextDue,
  nextOccurrenceAfter,
  type Series,
  upcomingOccurrences,
} from "./next-occurrence.ts";
export { type ParsedRecurrence, parseRecurrence } from "./parse.ts";
export { type ParsedRrule, parseRruleText } from "./rrule-text.ts";
export { instantOf, readableWallClock, type WallClock, wallClockOf } from "./zoned.ts";
