import { describe, expect, test } from "bun:test";
import { parseRecurrence } from "./parse.ts";
import { PHRASE_START, PHRASES } from "./phrases.ts";

const context = { timeZone: PHRASE_START.timeZone, anchor: new Date(PHRASE_START.anchor) };

describe("recurrences typed as phrases", () => {
  test("the phrase table has at least 100 cases", () => {
    expect(PHRASES.length).toBeGreaterThanOrEqual(100);
  });

  test.each(PHRASES)("%p reads as %p, with a description", (phrase, rule) => {
    const parsed = parseRecurrence(phrase, context);
    expect(parsed).toMatchObject({ ok: true, rule, from: "text" });
    if (parsed.ok) expect(parsed.description).toMatch(/^every /);
  });

  test("an RRULE is accepted with or without its prefix and comes back normalized, with its description", () => {
    expect(parseRecurrence("rrule:freq=weekly;byday=th,mo;interval=1", context)).toEqual({
      ok: true,
      rule: "FREQ=WEEKLY;BYDAY=MO,TH",
      from: "rrule",
      description: "every week on Monday and Thursday",
    });
  });

  test.each([
    ["every day blah", 'did not understand "blah"'],
    ["whenever I like", 'start with "every"'],
    ["every 0 days", "between 1 and 1000"],
    ["every day at 25:00", '"25:00" is not a time'],
    ["every day at 13pm", '"13pm" is not a time'],
    ["monthly on monday", "goes with daily or weekly rules"],
    ["weekly on march 1", "goes with yearly rules"],
    ["every 2 hours at 9am", "minutes past the hour"],
    ["every 30 minutes at 9am", "does not go with rules of minutes"],
    ["every day at 9:15 and 17:30", "must share their minutes"],
    ["every week until next year", "expected a date"],
    ["yearly on feb 30", "never happens"],
    ["every day for 0 times", "expected a number of times"],
    ["FREQ=DAILY;INTERVAL=0", "not a valid RRULE: INTERVAL must be a whole number"],
  ])("%p is refused, naming what was not understood, with a hint", (input, message) => {
    const parsed = parseRecurrence(input, context);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.message).toContain(message);
      expect(parsed.hint).toContain("every weekday at 9am");
    }
  });
});
