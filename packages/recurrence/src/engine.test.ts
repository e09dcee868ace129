import { describe, expect, test } from "bun:test";
import { Budget } from "./budget.ts";
import {
  admissionProblem,
  nextDue,
  nextOccurrence,
  occurrencesAfter,
  type Series,
  seriesFromStart,
} from "./engine.ts";

const upcomingOccurrences = (series: Series, after: Date, count: number) =>
  occurrencesAfter(series, { at: after, index: 0 }, count).map((o) => o.at);
const nextOccurrenceAfter = (series: Series, after: Date, index = 0) =>
  nextOccurrence(series, { at: after, index })?.at ?? null;

const iso = (dates: Array<Date | null>) => dates.map((d) => d?.toISOString() ?? null);

describe("next occurrences in the task's time zone", () => {
  const daily9 = { rule: "FREQ=DAILY", anchor: new Date("2030-03-29T08:00:00Z"), timeZone: "Europe/Berlin" }; // 09:00 CET

  test("09:00 Europe/Berlin every day stays 09:00 local across the spring DST change", () => {
    expect(iso(upcomingOccurrences(daily9, daily9.anchor, 3))).toEqual([
      "2030-03-30T08:00:00.000Z", // Sat 09:00 CET
      "2030-03-31T07:00:00.000Z", // Sun 09:00 CEST
      "2030-04-01T07:00:00.000Z",
    ]);
  });

  test("an occurrence in the spring-forward gap moves forward by the gap", () => {
    const daily0230 = {
      rule: "FREQ=DAILY",
      anchor: new Date("2030-03-30T01:30:00Z"),
      timeZone: "Europe/Berlin",
    };
    const [gapDay] = upcomingOccurrences(daily0230, daily0230.anchor, 1);
    expect(gapDay?.toISOString()).toBe("2030-03-31T01:30:00.000Z"); // 03:30 CEST
  });

  test("an occurrence in the fall-back overlap is the first of the two", () => {
    const daily0130 = {
      rule: "FREQ=DAILY",
      anchor: new Date("2030-11-02T05:30:00Z"),
      timeZone: "America/New_York",
    };
    expect(nextOccurrenceAfter(daily0130, daily0130.anchor)?.toISOString()).toBe("2030-11-03T05:30:00.000Z");
  });

  test("monthly on the 31st skips short months; BYMONTHDAY=-1 takes every month's last day", () => {
    const the31st = {
      rule: "FREQ=MONTHLY;BYMONTHDAY=31",
      anchor: new Date("2030-01-31T09:00:00Z"),
      timeZone: "UTC",
    };
    expect(iso(upcomingOccurrences(the31st, the31st.anchor, 2))).toEqual([
      "2030-03-31T09:00:00.000Z",
      "2030-05-31T09:00:00.000Z",
    ]);
    const last = {
      rule: "FREQ=MONTHLY;BYMONTHDAY=-1",
      anchor: new Date("2030-01-31T09:00:00Z"),
      timeZone: "UTC",
    };
    expect(iso(upcomingOccurrences(last, last.anchor, 2))).toEqual([
      "2030-02-28T09:00:00.000Z",
      "2030-03-31T09:00:00.000Z",
    ]);
  });

  test("COUNT and UNTIL end the series", () => {
    const twice = { rule: "FREQ=DAILY;COUNT=2", anchor: new Date("2030-01-01T09:00:00Z"), timeZone: "UTC" };
    expect(nextOccurrenceAfter(twice, new Date("2030-01-01T09:00:00Z"))?.toISOString()).toBe(
      "2030-01-02T09:00:00.000Z",
    );
    expect(nextOccurrenceAfter(twice, new Date("2030-01-02T09:00:00Z"), 1)).toBeNull();
    const until = {
      rule: "FREQ=DAILY;UNTIL=20300102T090000Z",
      anchor: new Date("2030-01-01T09:00:00Z"),
      timeZone: "UTC",
    };
    expect(nextOccurrenceAfter(until, new Date("2030-01-02T09:00:00Z"))).toBeNull();
  });
});

describe("the next due date after a completion", () => {
  const weekly = { rule: "FREQ=WEEKLY;BYDAY=MO", anchor: new Date("2030-01-07T09:00:00Z"), timeZone: "UTC" };
  const due = new Date("2030-01-07T09:00:00Z");
  const done = (completedAt: Date, index = 0) => ({ dueAt: due, completedAt, index });
  const at = (o: { at: Date } | null) => o?.at.toISOString() ?? null;

  test("from the due date by default", () => {
    expect(at(nextDue(weekly, done(new Date("2030-01-10T12:00:00Z")), due))).toBe("2030-01-14T09:00:00.000Z");
  });

  test('from the completion time when asked ("every!" semantics)', () => {
    const daily = { rule: "FREQ=DAILY;INTERVAL=3", anchor: due, timeZone: "UTC" };
    const completed = new Date("2030-01-20T15:00:00Z");
    // From the due date the grid is 7, 10, … 19, 22; from completion (the 20th) it is the 23rd.
    expect(at(nextDue(daily, done(completed), completed))).toBe("2030-01-10T09:00:00.000Z");
    expect(at(nextDue(daily, done(completed), completed, { mode: "completion" }))).toBe(
      "2030-01-23T09:00:00.000Z",
    );
  });

  test("an hourly rule in completion mode restarts at the completion's hour, not the series' time of day", () => {
    const hourly = {
      rule: "FREQ=HOURLY;INTERVAL=2",
      anchor: new Date("2030-01-07T09:15:00Z"),
      timeZone: "UTC",
    };
    const completed = new Date("2030-01-20T15:40:00Z");
    const next = nextDue(hourly, { dueAt: hourly.anchor, completedAt: completed, index: 0 }, completed, {
      mode: "completion",
    });
    expect(at(next)).toBe("2030-01-20T17:15:00.000Z");
  });

  test("COUNT counts the series' occurrences in completion mode as in due mode", () => {
    const twice = { rule: "FREQ=DAILY;COUNT=2", anchor: due, timeZone: "UTC" };
    const completed = new Date("2030-01-20T15:00:00Z");
    for (const mode of ["due", "completion"] as const) {
      expect(nextDue(twice, done(completed, 0), completed, { mode })?.index).toBe(1);
      expect(nextDue(twice, done(completed, 1), completed, { mode })).toBeNull();
    }
  });

  test("skipping missed occurrences yields the next future one, not a backlog", () => {
    const daily = { rule: "FREQ=DAILY", anchor: due, timeZone: "UTC" };
    const now = new Date("2030-01-20T12:00:00Z");
    expect(at(nextDue(daily, done(now), now))).toBe("2030-01-08T09:00:00.000Z");
    expect(at(nextDue(daily, done(now), now, { skipMissed: true }))).toBe("2030-01-21T09:00:00.000Z");
  });
});

describe("the start and the folds of a repeated hour", () => {
  test("a start in the second pass of a repeated hour is the first occurrence, and nothing comes before it", () => {
    // 2026-10-25 01:30Z is 02:30 CET, the second 02:30 in Berlin that night.
    const series = {
      rule: "FREQ=DAILY",
      anchor: new Date("2026-10-25T01:30:00Z"),
      timeZone: "Europe/Berlin",
    };
    expect(seriesFromStart(series, 3).map((o) => o.at.toISOString())).toEqual([
      "2026-10-25T01:30:00.000Z",
      "2026-10-26T01:30:00.000Z",
      "2026-10-27T01:30:00.000Z",
    ]);
  });

  test("a sub-daily rule keeps the instants its wall-clock times map to out of a spring-forward gap", () => {
    // From 01:20 CET every 40 minutes: 02:00 and 02:40 do not exist and become 03:00 and 03:40 CEST.
    const series = {
      rule: "FREQ=MINUTELY;INTERVAL=40",
      anchor: new Date("2026-03-29T00:20:00Z"),
      timeZone: "Europe/Berlin",
    };
    expect(seriesFromStart(series, 5).map((o) => o.at.toISOString())).toEqual([
      "2026-03-29T00:20:00.000Z",
      "2026-03-29T01:00:00.000Z", // 03:00 CEST (02:00 moved forward)
      "2026-03-29T01:20:00.000Z", // 03:20 CEST
      "2026-03-29T01:40:00.000Z", // 03:40 CEST (02:40 moved forward)
      "2026-03-29T02:00:00.000Z",
    ]);
  });

  test("an UTC UNTIL inside a repeated hour keeps the instance before it", () => {
    // New York, 2026-11-01: 01:30 EDT is 05:30Z; UNTIL 06:15Z is 01:15 EST, later in time.
    const series = {
      rule: "FREQ=HOURLY;UNTIL=20261101T061500Z",
      anchor: new Date("2026-11-01T04:30:00Z"),
      timeZone: "America/New_York",
    };
    expect(seriesFromStart(series, 5).map((o) => o.at.toISOString())).toEqual([
      "2026-11-01T04:30:00.000Z",
      "2026-11-01T05:30:00.000Z",
    ]);
  });
});

describe("bounded work", () => {
  test("rules that never match are refused for a start, with the reason", () => {
    const start = new Date("2026-11-01T00:00:00Z");
    for (const rule of ["FREQ=HOURLY;INTERVAL=24;BYHOUR=1", "FREQ=MINUTELY;INTERVAL=1440;BYHOUR=1"]) {
      expect(admissionProblem({ rule, anchor: start, timeZone: "UTC" })).toContain("never matches");
    }
    expect(
      admissionProblem({ rule: "FREQ=SECONDLY;INTERVAL=60;BYSECOND=30", anchor: start, timeZone: "UTC" }),
    ).toContain("reaches only every 60th of the day's seconds");
    // Every minute of every day as one yearly set: 525 600 candidates a period, over budget
    // before a single one is built.
    const hours = Array.from({ length: 24 }, (_, h) => h).join(",");
    const minutes = Array.from({ length: 60 }, (_, m) => m).join(",");
    const everyMinute = `FREQ=YEARLY;BYDAY=MO,TU,WE,TH,FR,SA,SU;BYHOUR=${hours};BYMINUTE=${minutes}`;
    expect(admissionProblem({ rule: everyMinute, anchor: start, timeZone: "UTC" })).toContain("budget");
  });

  test("the next occurrence of a five-year-old hourly series costs what a day-old one does", () => {
    const anchor = new Date("2026-01-01T08:00:00Z");
    const series = { rule: "FREQ=HOURLY", anchor, timeZone: "Europe/Berlin" };
    const cost = (after: Date) => {
      const budget = new Budget();
      nextOccurrence(series, { at: after, index: 1 }, budget);
      return budget.used;
    };
    const young = cost(new Date(anchor.getTime() + 86_400_000));
    const old = cost(new Date(anchor.getTime() + 5 * 365 * 86_400_000));
    expect(old).toBe(young);
    expect(young).toBeLessThan(10);
  });
});
