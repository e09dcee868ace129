import { describe, expect, test } from "bun:test";
import { parseRecurrence } from "./parse.ts";

const rule = (input: string) => {
  const parsed = parseRecurrence(input, { timeZone: "UTC" });
  return parsed.ok ? parsed.rule : `error: ${parsed.message}`;
};

describe("recurrences typed as natural text", () => {
  test.each([
    ["every weekday at 9am", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9;BYMINUTE=0;BYSECOND=0"],
    ["every 2 weeks on monday and thursday", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH"],
    ["every 2 weeks on Monday, Thursday", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH"],
    ["monthly on the last friday", "FREQ=MONTHLY;BYDAY=-1FR"],
    ["every 3 days", "FREQ=DAILY;INTERVAL=3"],
    ["yearly on march 1", "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=1"],
    ["every year on 1st March", "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=1"],
    ["daily at 17:30", "FREQ=DAILY;BYHOUR=17;BYMINUTE=30;BYSECOND=0"],
    ["every day at 12am", "FREQ=DAILY;BYHOUR=0;BYMINUTE=0;BYSECOND=0"],
    ["every day at 12 pm", "FREQ=DAILY;BYHOUR=12;BYMINUTE=0;BYSECOND=0"],
    ["every other week", "FREQ=WEEKLY;INTERVAL=2"],
    ["every weekend at noon", "FREQ=WEEKLY;BYDAY=SA,SU;BYHOUR=12;BYMINUTE=0;BYSECOND=0"],
    ["every tuesday and friday", "FREQ=WEEKLY;BYDAY=TU,FR"],
    ["every month on the 15th", "FREQ=MONTHLY;BYMONTHDAY=15"],
    ["every month on the last day", "FREQ=MONTHLY;BYMONTHDAY=-1"],
    ["monthly on the first monday at 8:15am", "FREQ=MONTHLY;BYDAY=1MO;BYHOUR=8;BYMINUTE=15;BYSECOND=0"],
    ["every day for 5 times", "FREQ=DAILY;COUNT=5"],
    ["every week until 2030-12-31", "FREQ=WEEKLY;UNTIL=20301231T235959Z"],
    ["every 2 hours", "FREQ=HOURLY;INTERVAL=2"],
  ])("%p reads as %p", (input, expected) => {
    expect(rule(input)).toBe(expected);
  });

  test("an RRULE is accepted with or without its prefix and comes back normalized", () => {
    expect(parseRecurrence("rrule:freq=weekly;byday=mo", { timeZone: "UTC" })).toMatchObject({
      ok: true,
      rule: "FREQ=WEEKLY;BYDAY=MO",
      from: "rrule",
    });
    expect(parseRecurrence("every day", { timeZone: "UTC" })).toMatchObject({
      ok: true,
      rule: "FREQ=DAILY",
      from: "text",
    });
  });

  test.each([
    ["every day blah", 'did not understand "blah"'],
    ["whenever I like", 'start with "every"'],
    ["every 0 days", "between 1 and 1000"],
    ["every fortnight", "expected day(s), week(s)"],
    ["every day at 25:00", '"25:00" is not a time'],
    ["every day at 13pm", '"13pm" is not a time'],
    ["daily on monday", "goes with weekly rules"],
    ["weekly on march 1", "goes with yearly rules"],
    ["every 2 hours at 9am", "does not go with hourly rules"],
    ["every week until next year", "expected a date"],
    ["FREQ=DAILY;INTERVAL=0", "not a valid RRULE: INTERVAL must be a whole number"],
  ])("%p is refused, naming what was not understood", (input, message) => {
    const parsed = parseRecurrence(input, { timeZone: "UTC" });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.message).toContain(message);
      expect(parsed.hint).toContain("every weekday at 9am");
    }
  });
});
