import { type NextDueOptions, nextDue, nextOccurrence, type Series } from "./engine.ts";

/**
 * The case table: one rule, one starting point, the expected next instant (null = the series has
 * ended). `after` cases ask nextOccurrenceAfter; `completed` cases ask nextDue.
 */
export interface Case {
  name: string;
  rule: string;
  anchor: string;
  zone?: string;
  after?: string;
  completed?: { due: string; at: string; now?: string; options?: NextDueOptions };
  /** The occurrence index of `after` (or of the completed task): what COUNT is checked against. */
  index?: number;
  next: string | null;
}

export const CASES: Case[] = [
  // Europe/Berlin: 2030-03-31 02:00 → 03:00, 2030-10-27 03:00 → 02:00.
  {
    name: "Berlin daily 09:00 across spring-forward",
    rule: "FREQ=DAILY",
    anchor: "2030-03-30T08:00:00Z",
    zone: "Europe/Berlin",
    next: "2030-03-31T07:00:00Z",
  },
  {
    name: "Berlin daily 09:00 across fall-back",
    rule: "FREQ=DAILY",
    anchor: "2030-10-26T07:00:00Z",
    zone: "Europe/Berlin",
    next: "2030-10-27T08:00:00Z",
  },
  {
    name: "Berlin 02:30 in the gap moves to 03:30",
    rule: "FREQ=DAILY",
    anchor: "2030-03-30T01:30:00Z",
    zone: "Europe/Berlin",
    next: "2030-03-31T01:30:00Z",
  },
  {
    name: "Berlin the day after the gap is 02:30 again",
    rule: "FREQ=DAILY",
    anchor: "2030-03-30T01:30:00Z",
    after: "2030-03-31T01:30:00Z",
    zone: "Europe/Berlin",
    next: "2030-04-01T00:30:00Z",
  },
  {
    name: "Berlin 02:30 in the overlap is the first (CEST) one",
    rule: "FREQ=DAILY",
    anchor: "2030-10-26T00:30:00Z",
    zone: "Europe/Berlin",
    next: "2030-10-27T00:30:00Z",
  },
  {
    name: "Berlin the day after the overlap is 02:30 CET",
    rule: "FREQ=DAILY",
    anchor: "2030-10-26T00:30:00Z",
    after: "2030-10-27T00:30:00Z",
    zone: "Europe/Berlin",
    next: "2030-10-28T01:30:00Z",
  },
  {
    name: "Berlin weekly Monday 09:00 across spring-forward",
    rule: "FREQ=WEEKLY;BYDAY=MO",
    anchor: "2030-03-25T08:00:00Z",
    zone: "Europe/Berlin",
    next: "2030-04-01T07:00:00Z",
  },
  // America/New_York: 2030-03-10 02:00 → 03:00, 2030-11-03 02:00 → 01:00.
  {
    name: "New York daily 09:00 across spring-forward",
    rule: "FREQ=DAILY",
    anchor: "2030-03-09T14:00:00Z",
    zone: "America/New_York",
    next: "2030-03-10T13:00:00Z",
  },
  {
    name: "New York daily 09:00 across fall-back",
    rule: "FREQ=DAILY",
    anchor: "2030-11-02T13:00:00Z",
    zone: "America/New_York",
    next: "2030-11-03T14:00:00Z",
  },
  {
    name: "New York 02:30 in the gap moves to 03:30 EDT",
    rule: "FREQ=DAILY",
    anchor: "2030-03-09T07:30:00Z",
    zone: "America/New_York",
    next: "2030-03-10T07:30:00Z",
  },
  {
    name: "New York 01:30 in the overlap is the first (EDT) one",
    rule: "FREQ=DAILY",
    anchor: "2030-11-02T05:30:00Z",
    zone: "America/New_York",
    next: "2030-11-03T05:30:00Z",
  },
  {
    name: "New York the day after the overlap is 01:30 EST",
    rule: "FREQ=DAILY",
    anchor: "2030-11-02T05:30:00Z",
    after: "2030-11-03T05:30:00Z",
    zone: "America/New_York",
    next: "2030-11-04T06:30:00Z",
  },
  {
    name: "New York hourly counts wall-clock hours: the repeated 01:00 happens once",
    rule: "FREQ=HOURLY",
    anchor: "2030-11-03T05:00:00Z",
    zone: "America/New_York",
    next: "2030-11-03T07:00:00Z",
  },
  // Leap days and month ends.
  {
    name: "yearly on Feb 29 waits for the next leap year",
    rule: "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
    anchor: "2028-02-29T09:00:00Z",
    next: "2032-02-29T09:00:00Z",
  },
  {
    name: "plain yearly from Feb 29 skips common years (RFC 5545)",
    rule: "FREQ=YEARLY",
    anchor: "2028-02-29T09:00:00Z",
    next: "2032-02-29T09:00:00Z",
  },
  {
    name: "monthly on the 29th skips a common February",
    rule: "FREQ=MONTHLY;BYMONTHDAY=29",
    anchor: "2030-01-29T09:00:00Z",
    next: "2030-03-29T09:00:00Z",
  },
  {
    name: "monthly on the 29th keeps a leap February",
    rule: "FREQ=MONTHLY;BYMONTHDAY=29",
    anchor: "2028-01-29T09:00:00Z",
    next: "2028-02-29T09:00:00Z",
  },
  {
    name: "monthly on the 31st skips 30-day months",
    rule: "FREQ=MONTHLY;BYMONTHDAY=31",
    anchor: "2030-03-31T09:00:00Z",
    next: "2030-05-31T09:00:00Z",
  },
  {
    name: "monthly on the 30th skips February",
    rule: "FREQ=MONTHLY;BYMONTHDAY=30",
    anchor: "2030-01-30T09:00:00Z",
    next: "2030-03-30T09:00:00Z",
  },
  {
    name: "BYMONTHDAY=-1 is February's 28th",
    rule: "FREQ=MONTHLY;BYMONTHDAY=-1",
    anchor: "2030-01-31T09:00:00Z",
    next: "2030-02-28T09:00:00Z",
  },
  {
    name: "BYMONTHDAY=-1 is a leap February's 29th",
    rule: "FREQ=MONTHLY;BYMONTHDAY=-1",
    anchor: "2028-01-31T09:00:00Z",
    next: "2028-02-29T09:00:00Z",
  },
  // Positions within a month.
  {
    name: "the last Friday by BYSETPOS",
    rule: "FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1",
    anchor: "2030-01-25T09:00:00Z",
    next: "2030-02-22T09:00:00Z",
  },
  {
    name: "the last Friday by BYDAY=-1FR",
    rule: "FREQ=MONTHLY;BYDAY=-1FR",
    anchor: "2030-01-25T09:00:00Z",
    next: "2030-02-22T09:00:00Z",
  },
  {
    name: "the last weekday of February",
    rule: "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
    anchor: "2030-01-31T09:00:00Z",
    next: "2030-02-28T09:00:00Z",
  },
  {
    name: "the last weekday of a month ending on a Sunday",
    rule: "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
    anchor: "2030-02-28T09:00:00Z",
    next: "2030-03-29T09:00:00Z",
  },
  {
    name: "the second Tuesday, Berlin, across spring-forward",
    rule: "FREQ=MONTHLY;BYDAY=2TU",
    anchor: "2030-03-12T08:00:00Z",
    zone: "Europe/Berlin",
    next: "2030-04-09T07:00:00Z",
  },
  // Ends.
  {
    name: "COUNT=3: the third occurrence follows the second",
    rule: "FREQ=DAILY;COUNT=3",
    anchor: "2030-01-01T09:00:00Z",
    after: "2030-01-02T09:00:00Z",
    index: 1,
    next: "2030-01-03T09:00:00Z",
  },
  {
    name: "COUNT=3: nothing follows the third",
    rule: "FREQ=DAILY;COUNT=3",
    anchor: "2030-01-01T09:00:00Z",
    after: "2030-01-03T09:00:00Z",
    index: 2,
    next: null,
  },
  {
    name: "UNTIL is inclusive",
    rule: "FREQ=DAILY;UNTIL=20300105T090000Z",
    anchor: "2030-01-01T09:00:00Z",
    after: "2030-01-04T09:00:00Z",
    next: "2030-01-05T09:00:00Z",
  },
  {
    name: "nothing follows UNTIL",
    rule: "FREQ=DAILY;UNTIL=20300105T090000Z",
    anchor: "2030-01-01T09:00:00Z",
    after: "2030-01-05T09:00:00Z",
    next: null,
  },
  {
    name: "UNTIL is an instant, also in Berlin",
    rule: "FREQ=DAILY;UNTIL=20300102T080000Z",
    anchor: "2030-01-01T08:00:00Z",
    zone: "Europe/Berlin",
    next: "2030-01-02T08:00:00Z",
  },
  // After a completion.
  {
    name: "from the due date, a late completion does not move the grid",
    rule: "FREQ=DAILY;INTERVAL=3",
    anchor: "2030-01-01T09:00:00Z",
    completed: { due: "2030-01-01T09:00:00Z", at: "2030-01-20T15:00:00Z" },
    next: "2030-01-04T09:00:00Z",
  },
  {
    name: "from completion, every 3 days restarts on the completion day",
    rule: "FREQ=DAILY;INTERVAL=3",
    anchor: "2030-01-01T09:00:00Z",
    completed: { due: "2030-01-01T09:00:00Z", at: "2030-01-20T15:00:00Z", options: { mode: "completion" } },
    next: "2030-01-23T09:00:00Z",
  },
  {
    name: "from completion, a completion before the time of day gives the same next due",
    rule: "FREQ=DAILY;INTERVAL=3",
    anchor: "2030-01-01T09:00:00Z",
    completed: { due: "2030-01-01T09:00:00Z", at: "2030-01-20T08:00:00Z", options: { mode: "completion" } },
    next: "2030-01-23T09:00:00Z",
  },
  {
    name: "from completion in Berlin keeps 09:00 local across spring-forward",
    rule: "FREQ=WEEKLY",
    anchor: "2030-03-01T08:00:00Z",
    zone: "Europe/Berlin",
    completed: { due: "2030-03-01T08:00:00Z", at: "2030-03-27T18:00:00Z", options: { mode: "completion" } },
    next: "2030-04-03T07:00:00Z",
  },
  {
    name: "skip missed: a long-overdue daily task is next due tomorrow",
    rule: "FREQ=DAILY",
    anchor: "2030-01-01T09:00:00Z",
    completed: { due: "2030-01-01T09:00:00Z", at: "2030-01-10T12:00:00Z", options: { skipMissed: true } },
    next: "2030-01-11T09:00:00Z",
  },
  {
    name: "without skip missed the backlog is kept",
    rule: "FREQ=DAILY",
    anchor: "2030-01-01T09:00:00Z",
    completed: { due: "2030-01-01T09:00:00Z", at: "2030-01-10T12:00:00Z" },
    next: "2030-01-02T09:00:00Z",
  },
  {
    name: "skip missed on Mondays and Thursdays in Berlin lands after now, in summer time",
    rule: "FREQ=WEEKLY;BYDAY=MO,TH",
    anchor: "2030-03-04T08:00:00Z",
    zone: "Europe/Berlin",
    completed: { due: "2030-03-04T08:00:00Z", at: "2030-04-02T10:00:00Z", options: { skipMissed: true } },
    next: "2030-04-04T07:00:00Z",
  },
  {
    // COUNT counts the series' tasks: skipped instants never were one.
    name: "skip missed in a COUNT series yields its second task, the next instant ahead",
    rule: "FREQ=DAILY;COUNT=3",
    anchor: "2030-01-01T09:00:00Z",
    completed: { due: "2030-01-01T09:00:00Z", at: "2030-01-10T12:00:00Z", options: { skipMissed: true } },
    next: "2030-01-11T09:00:00Z",
  },
  {
    name: "skip missed after a COUNT series' last task ends it",
    rule: "FREQ=DAILY;COUNT=3",
    anchor: "2030-01-01T09:00:00Z",
    index: 2,
    completed: { due: "2030-01-03T09:00:00Z", at: "2030-01-10T12:00:00Z", options: { skipMissed: true } },
    next: null,
  },
];

export function nextFor(c: Case): Date | null {
  const series: Series = { rule: c.rule, anchor: new Date(c.anchor), timeZone: c.zone ?? "UTC" };
  if (c.completed) {
    const at = new Date(c.completed.at);
    const now = new Date(c.completed.now ?? c.completed.at);
    const completed = { dueAt: new Date(c.completed.due), index: c.index ?? 0, completedAt: at };
    return nextDue(series, completed, now, c.completed.options)?.at ?? null;
  }
  return nextOccurrence(series, { at: new Date(c.after ?? c.anchor), index: c.index ?? 0 })?.at ?? null;
}
