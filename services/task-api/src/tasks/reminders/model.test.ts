import { describe, expect, test } from "bun:test";
import { ProblemError } from "@nudge/http";
import { formatDuration, nextFiring, occurrenceKeyOf, parseDuration, transition } from "./model.ts";

const id = "0190f1c2-0000-7000-8000-000000000001";
const now = new Date("2030-01-01T09:00:00Z");
const later = new Date("2030-01-01T10:00:00Z");
const earlier = new Date("2030-01-01T08:00:00Z");

describe("durations", () => {
  test("weeks and days are calendar days, the time part is exact seconds", () => {
    expect(parseDuration("P1W2D", "f")).toEqual({ days: 9, seconds: 0 });
    expect(parseDuration("PT1H30M15S", "f")).toEqual({ days: 0, seconds: 5415 });
    expect(parseDuration("P1DT2H", "f")).toEqual({ days: 1, seconds: 7200 });
  });

  test("are written back in one canonical spelling", () => {
    expect(formatDuration({ days: 9, seconds: 0 })).toBe("P9D");
    expect(formatDuration({ days: 0, seconds: 5400 })).toBe("PT1H30M");
    expect(formatDuration({ days: 1, seconds: 7205 })).toBe("P1DT2H5S");
    expect(formatDuration({ days: 0, seconds: 0 })).toBe("PT0S");
  });

  test("a malformed or over-long duration is a 422 naming the field", () => {
    for (const text of ["15 minutes", "P", "PT", "P1M", "P400D", `PT${"9".repeat(30)}S`]) {
      const error = (() => {
        try {
          parseDuration(text, "body.before");
        } catch (e) {
          return e;
        }
      })() as ProblemError;
      expect(error).toBeInstanceOf(ProblemError);
      expect(error.errors?.[0]?.field).toBe("body.before");
    }
  });
});

describe("when a reminder fires next", () => {
  test("at its own instant while the task is open and the instant is ahead", () => {
    expect(nextFiring({ nominal: later, snoozedUntil: null }, true, now)).toEqual(later);
  });

  test("never while the task is completed, nor when the instant has passed or is unknown", () => {
    expect(nextFiring({ nominal: later, snoozedUntil: null }, false, now)).toBeNull();
    expect(nextFiring({ nominal: earlier, snoozedUntil: null }, true, now)).toBeNull();
    expect(nextFiring({ nominal: null, snoozedUntil: null }, true, now)).toBeNull();
  });

  test("a snooze still ahead wins; one that has passed no longer counts", () => {
    const snoozed = new Date("2030-01-01T11:00:00Z");
    expect(nextFiring({ nominal: later, snoozedUntil: snoozed }, true, now)).toEqual(snoozed);
    expect(nextFiring({ nominal: later, snoozedUntil: earlier }, true, now)).toEqual(later);
  });
});

describe("occurrence transitions", () => {
  const armed = { id, fires_at: later, occurrence_key: occurrenceKeyOf(id, later) };
  const disarmed = { id, fires_at: null, occurrence_key: null };

  test("the key names the reminder and the instant, deterministically", () => {
    expect(occurrenceKeyOf(id, later)).toBe(`${id}:${later.getTime()}`);
  });

  test("arming, moving and disarming are one event each; staying put is none", () => {
    expect(transition(disarmed, later)?.type).toBe("reminder.scheduled");
    expect(transition(armed, later)).toBeUndefined();
    expect(transition(disarmed, null)).toBeUndefined();
    const moved = transition(armed, new Date("2030-01-02T10:00:00Z"));
    expect(moved).toMatchObject({
      type: "reminder.rescheduled",
      previous: { occurrenceKey: armed.occurrence_key },
    });
    expect(transition(armed, null)).toMatchObject({
      type: "reminder.cancelled",
      occurrenceKey: null,
      previous: { at: later, occurrenceKey: armed.occurrence_key },
    });
  });
});
