import { describe, expect, test } from "bun:test";
import { nextDue, nextOccurrenceAfter, upcomingOccurrences } from "./next-occurrence.ts";

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
    expect(nextOccurrenceAfter(twice, new Date("2030-01-02T09:00:00Z"))).toBeNull();
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

  test("from the due date by default", () => {
    expect(nextDue(weekly, due, new Date("2030-01-10T12:00:00Z"), due)?.toISOString()).toBe(
      "2030-01-14T09:00:00.000Z",
    );
  });

  test('from the completion time when asked ("every!" semantics)', () => {
    const daily = { rule: "FREQ=DAILY;INTERVAL=3", anchor: due, timeZone: "UTC" };
    const completed = new Date("2030-01-20T15:00:00Z");
    // From the due date the grid is 7, 10, … 19, 22; from completion (the 20th) it is the 23rd.
    expect(nextDue(daily, due, completed, completed)?.toISOString()).toBe("2030-01-10T09:00:00.000Z");
    expect(nextDue(daily, due, completed, completed, { mode: "completion" })?.toISOString()).toBe(
      "2030-01-23T09:00:00.000Z",
    );
  });

  test("skipping missed occurrences yields the next future one, not a backlog", () => {
    const daily = { rule: "FREQ=DAILY", anchor: due, timeZone: "UTC" };
    const now = new Date("2030-01-20T12:00:00Z");
    expect(nextDue(daily, due, now, now)?.toISOString()).toBe("2030-01-08T09:00:00.000Z");
    expect(nextDue(daily, due, now, now, { skipMissed: true })?.toISOString()).toBe(
      "2030-01-21T09:00:00.000Z",
    );
  });
});
