import { describe, expect, test } from "bun:test";
import { retryDelayMs } from "./workflow.ts";

describe("activity retry delays", () => {
  test("double from the first delay by default", () => {
    const policy = { maxAttempts: 5, firstDelayMs: 200 };
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(policy, attempt))).toEqual([200, 400, 800, 1600]);
  });

  test("never exceed the maximum delay", () => {
    const policy = { maxAttempts: 10, firstDelayMs: 1000, backoffFactor: 3, maxDelayMs: 5000 };
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(policy, attempt))).toEqual([1000, 3000, 5000, 5000]);
  });
});
