import { describe, expect, test } from "bun:test";
import { parseRruleText } from "./rrule-text.ts";

describe("RRULE text validation", () => {
  test.each([
    ["FREQ=WEEKLY;BYDAY=MO,TH", "FREQ=WEEKLY;BYDAY=MO,TH"],
    ["RRULE:FREQ=DAILY;COUNT=3", "FREQ=DAILY;COUNT=3"],
    ["freq=monthly;bymonthday=-1", "FREQ=MONTHLY;BYMONTHDAY=-1"],
    ["FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=1", "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=1"],
  ])("%p is accepted as %p", (text, rule) => {
    expect(parseRruleText(text)).toEqual({ ok: true, rule });
  });

  test.each([
    ["", "empty"],
    ["BYDAY=MO", "FREQ is required"],
    ["FREQ=NOPE", "FREQ must be one of"],
    ["FREQ=DAILY;INTERVAL=x", "INTERVAL must be a positive integer"],
    ["FREQ=DAILY;INTERVAL=0", "INTERVAL must be a positive integer"],
    ["FREQ=DAILY;FOO=1", "unknown or unsupported part FOO"],
    ["FREQ=DAILY;COUNT=2;UNTIL=20300101", "COUNT and UNTIL"],
    ["FREQ=WEEKLY;BYDAY=XX", "BYDAY must list weekdays"],
    ["garbage", "is not KEY=VALUE"],
    ["FREQ=DAILY;FREQ=WEEKLY", "appears twice"],
  ])("%p is refused with a hint", (text, hint) => {
    const parsed = parseRruleText(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toContain(hint);
  });
});
