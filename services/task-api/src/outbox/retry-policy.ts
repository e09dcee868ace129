import type { FailureKind, PublishFailure } from "./publish-row.ts";

/** A failure is the row's own only if some other row was published this recently. */
export const HEALTHY_WINDOW_MS = 10_000;
export const MAX_OUTAGE_BACKOFF_MS = 10_000;
const FIRST_BACKOFF_MS = 250;

/** How a failed publish counts: the row's by nature, the row's own transient failure, or an outage. */
export type Outcome = FailureKind | "outage";

/** What to do with a row whose publish failed. */
export type Verdict =
  | {
      action: "park";
      outcome: Outcome;
      /** The `reason` label of nudge_outbox_parked_total. */
      why: FailureKind | "attempts";
      message: string;
      /** Attempts so far, this one included, when the row is given up on after retries. */
      attempts?: number;
    }
  | { action: "retry"; outcome: Outcome; inMs: number; counted: boolean };

export interface RetryLimits {
  /** Failed attempts (while publishing works for other rows) before a row is parked. */
  maxAttempts: number;
  /** Longest wait between two attempts of one row. */
  retryMaxMs: number;
}

/** The wait before a row's next attempt after `attempts` failed ones: doubling, capped. */
export function retryBackoffMs(attempts: number, retryMaxMs: number): number {
  return Math.min(FIRST_BACKOFF_MS * 2 ** (attempts - 1), retryMaxMs);
}

/** The relay's pause after `outageFailures` batches in a row found publishing down. */
export function outageBackoffMs(outageFailures: number): number {
  return Math.min(FIRST_BACKOFF_MS * 2 ** Math.max(0, outageFailures - 1), MAX_OUTAGE_BACKOFF_MS);
}

/** Whether publishing works: some row went out within the healthy window. */
export function isHealthy(lastPublishedAt: number, now: number): boolean {
  return now - lastPublishedAt < HEALTHY_WINDOW_MS;
}

/**
 * Judge a failed publish of a row tried `attempts` times before (docs/services.md, "The outbox
 * relay"): a refused or undeliverable row is parked at once; a transient failure while nothing
 * else gets through is an outage — the row waits uncounted; otherwise it is the row's own,
 * retried with backoff and parked after `maxAttempts`.
 */
export function judgeFailure(
  failure: PublishFailure,
  attempts: number,
  context: { healthy: boolean; outageFailures: number },
  limits: RetryLimits,
): Verdict {
  if (failure.kind !== "transient")
    return { action: "park", outcome: failure.kind, why: failure.kind, message: failure.message };
  if (!context.healthy)
    return {
      action: "retry",
      outcome: "outage",
      inMs: outageBackoffMs(context.outageFailures),
      counted: false,
    };
  const tried = attempts + 1;
  if (tried >= limits.maxAttempts) {
    const message = `gave up after ${tried} attempts: ${failure.message}`;
    return { action: "park", outcome: "transient", why: "attempts", message, attempts: tried };
  }
  return {
    action: "retry",
    outcome: "transient",
    inMs: retryBackoffMs(tried, limits.retryMaxMs),
    counted: true,
  };
}

/**
 * Whether a task's later rows may go out after this failure in the same batch: a row refused or
 * undeliverable is stepped over (docs/decisions.md); after any other failure they wait.
 */
export function stepsOver(outcome: Outcome): boolean {
  return outcome === "rejected" || outcome === "invalid";
}
