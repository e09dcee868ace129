import { describe, expect, test } from "bun:test";
import { PublishFailure } from "./publish-row.ts";
import {
  HEALTHY_WINDOW_MS,
  isHealthy,
  judgeFailure,
  MAX_OUTAGE_BACKOFF_MS,
  outageBackoffMs,
  retryBackoffMs,
  stepsOver,
} from "./retry-policy.ts";

const limits = { maxAttempts: 5, retryMaxMs: 3000 };
const healthy = { healthy: true, outageFailures: 0 };
const transient = new PublishFailure("transient", "503 from the sidecar");

describe("how the relay treats a failed publish", () => {
  test("a refused or undeliverable row is parked at once, whatever its attempts", () => {
    for (const kind of ["rejected", "invalid"] as const) {
      const verdict = judgeFailure(new PublishFailure(kind, "no"), 0, healthy, limits);
      expect(verdict).toEqual({ action: "park", outcome: kind, why: kind, message: "no" });
    }
  });

  test("a transient failure while other rows go out counts against the row and is retried later", () => {
    expect(judgeFailure(transient, 0, healthy, limits)).toEqual({
      action: "retry",
      outcome: "transient",
      inMs: 250,
      counted: true,
    });
    expect(judgeFailure(transient, 2, healthy, limits)).toMatchObject({ inMs: 1000, counted: true });
  });

  test("a row is parked on its last allowed attempt, with the attempts in its reason", () => {
    expect(judgeFailure(transient, 4, healthy, limits)).toEqual({
      action: "park",
      outcome: "transient",
      why: "attempts",
      message: "gave up after 5 attempts: 503 from the sidecar",
      attempts: 5,
    });
  });

  test("a transient failure while nothing else goes out is an outage: the row waits uncounted", () => {
    const verdict = judgeFailure(transient, 9, { healthy: false, outageFailures: 3 }, limits);
    expect(verdict).toEqual({ action: "retry", outcome: "outage", inMs: 1000, counted: false });
  });

  test("only refused and undeliverable rows let their task's later rows go out in the same batch", () => {
    expect(["rejected", "invalid", "transient", "outage"].filter((o) => stepsOver(o as never))).toEqual([
      "rejected",
      "invalid",
    ]);
  });
});

describe("backoff", () => {
  test("a row's wait doubles from 250 ms and stops at the configured maximum", () => {
    expect([1, 2, 3, 4, 5, 6].map((attempts) => retryBackoffMs(attempts, 3000))).toEqual([
      250, 500, 1000, 2000, 3000, 3000,
    ]);
  });

  test("the outage pause doubles from 250 ms and stops at 10 s", () => {
    expect([0, 1, 2, 3].map(outageBackoffMs)).toEqual([250, 250, 500, 1000]);
    expect(outageBackoffMs(20)).toBe(MAX_OUTAGE_BACKOFF_MS);
  });

  test("publishing counts as working while a row went out within the last 10 s", () => {
    expect(isHealthy(1000, 1000 + HEALTHY_WINDOW_MS - 1)).toBe(true);
    expect(isHealthy(1000, 1000 + HEALTHY_WINDOW_MS)).toBe(false);
    expect(isHealthy(0, Date.now())).toBe(false);
  });
});
