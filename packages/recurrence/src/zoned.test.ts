import { describe, expect, test } from "bun:test";
import { instantOf, wallClockOf } from "./zoned.ts";

const wall = (y: number, mo: number, d: number, h: number, mi = 0) => ({
  year: y,
  month: mo,
  day: d,
  hour: h,
  minute: mi,
  second: 0,
});

describe("wall-clock times in a zone", () => {
  test("an ordinary time maps to its instant and back", () => {
    const instant = instantOf(wall(2030, 7, 1, 9), "Europe/Berlin");
    expect(instant.toISOString()).toBe("2030-07-01T07:00:00.000Z");
    expect(wallClockOf(instant, "Europe/Berlin")).toEqual(wall(2030, 7, 1, 9));
  });

  test("09:00 stays 09:00 local on both sides of a DST change", () => {
    expect(instantOf(wall(2030, 3, 30, 9), "Europe/Berlin").toISOString()).toBe("2030-03-30T08:00:00.000Z");
    expect(instantOf(wall(2030, 3, 31, 9), "Europe/Berlin").toISOString()).toBe("2030-03-31T07:00:00.000Z");
  });

  test("a time in the spring-forward gap moves forward by the gap", () => {
    // Berlin jumps from 02:00 to 03:00 on 31 March 2030: 02:30 does not exist and becomes 03:30.
    const instant = instantOf(wall(2030, 3, 31, 2, 30), "Europe/Berlin");
    expect(instant.toISOString()).toBe("2030-03-31T01:30:00.000Z");
    expect(wallClockOf(instant, "Europe/Berlin")).toEqual(wall(2030, 3, 31, 3, 30));
  });

  test("a time repeated by the fall-back overlap means its first occurrence", () => {
    // New York repeats 01:00–02:00 on 3 November 2030: 01:30 EDT (05:30Z) comes before 01:30 EST.
    expect(instantOf(wall(2030, 11, 3, 1, 30), "America/New_York").toISOString()).toBe(
      "2030-11-03T05:30:00.000Z",
    );
  });

  test("zones without DST and far from UTC work too", () => {
    expect(instantOf(wall(2030, 1, 1, 0), "Pacific/Kiritimati").toISOString()).toBe(
      "2029-12-31T10:00:00.000Z",
    );
    expect(instantOf(wall(2030, 1, 1, 0), "UTC").toISOString()).toBe("2030-01-01T00:00:00.000Z");
  });
});
