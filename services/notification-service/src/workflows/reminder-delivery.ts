import type { WorkflowContext } from "@dapr/dapr";
import { callActivityWithRetry } from "@nudge/dapr";
import type { Activities, DeliveryInput, DeliveryResult } from "../activities/index.ts";
import { PERMANENT } from "../activities/index.ts";

export interface DeliveryPolicy {
  maxAttempts: number;
  firstRetryMs: number;
}

export type DeliveryOutcome =
  | { outcome: "sent"; messageId: string }
  | { outcome: "skipped" | "notified" | "failed"; reason: string };

/**
 * reminderDelivery: one activity delivers (load → render → send → record, see deliverReminder),
 * retried with backoff on transient failures — provider 429/5xx, network, task-api or the
 * sidecar unavailable — and never on a permanent refusal. When retries are exhausted the
 * delivery is marked failed, reported and parked on the dead-letter topic. Deterministic: only
 * activities and durable timers. Instance id = the Dapr job name, so a duplicate trigger can
 * never start a second delivery.
 */
export function reminderDelivery(activities: Activities, policy: DeliveryPolicy) {
  return async function* reminderDelivery(ctx: WorkflowContext, input: DeliveryInput) {
    try {
      const result: DeliveryResult = yield* callActivityWithRetry(ctx, activities.deliverReminder, input, {
        maxAttempts: policy.maxAttempts,
        firstDelayMs: policy.firstRetryMs,
        maxDelayMs: 60_000,
        retryable: (error) => !String((error as Error)?.message ?? error).includes(PERMANENT),
      });
      return result satisfies DeliveryOutcome;
    } catch (error) {
      const reason = String((error as Error)?.message ?? error);
      yield ctx.callActivity(activities.recordFailed, { ...input, reason });
      return { outcome: "failed", reason } satisfies DeliveryOutcome;
    }
  };
}
