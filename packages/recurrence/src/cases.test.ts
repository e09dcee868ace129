import { describe, expect, test } from "bun:test";
import { CASES, nextFor } from "./cases.ts";

describe("the next instant of a rule, case by case", () => {
  test.each(CASES.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    expect(nextFor(c)?.toISOString() ?? null).toBe(c.next === null ? null : new Date(c.next).toISOString());
  });

  test("the table covers at least 30 cases", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
  });
});
