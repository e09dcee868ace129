import type { WorkflowContext } from "@dapr/dapr";
import { callActivityWithRetry } from "@nudge/dapr";
import type { Activities, DeliveryInput, Occurrence } from "../activities/index.ts";
import { PERMANENT } from "../activities/index.ts";

export interface DeliveryPolicy {
  maxAttempts: number;
  firstRetryMs: number;
}

export type DeliveryOutcome =
  | { outcome: "sent"; messageId: string }
  | { outcome: "skipped" | "failed"; reason: string };

const LOAD_RETRIES = { maxAttempts: 8, firstDelayMs: 500, maxDelayMs: 10_000 };

/**
 * reminderDelivery: load → render → send → record. Deterministic: it only calls activities and
 * durable timers (no clock, no I/O), so replays after a crash take the same path. Instance id
 * = the Dapr job name, so a duplicate trigger can never start a second delivery.
 */
export function reminderDelivery(activities: Activities, policy: DeliveryPolicy) {
  return async function* reminderDelivery(ctx: WorkflowContext, input: DeliveryInput) {
    const occurrence: Occurrence = yield* callActivityWithRetry(
      ctx,
      activities.loadOccurrence,
      input,
      LOAD_RETRIES,
    );
    if (!occurrence.current) {
      yield ctx.callActivity(activities.recordSkipped, { ...input, reason: occurrence.reason });
      return { outcome: "skipped", reason: occurrence.reason } satisfies DeliveryOutcome;
    }
    let messageId: string;
    try {
      ({ messageId } = yield* callActivityWithRetry(
        ctx,
        activities.sendEmail,
        { deliveryId: input.deliveryId, email: occurrence.email },
        {
          maxAttempts: policy.maxAttempts,
          firstDelayMs: policy.firstRetryMs,
          maxDelayMs: 60_000,
          retryable: (error) => !String((error as Error)?.message ?? error).includes(PERMANENT),
        },
      ));
    } catch (error) {
      const reason = String((error as Error)?.message ?? error);
      yield ctx.callActivity(activities.recordFailed, { ...input, reason });
      return { outcome: "failed", reason } satisfies DeliveryOutcome;
    }
    yield* callActivityWithRetry(
      ctx,
      activities.recordSent,
      { ...input, messageId, recipient: occurrence.email.to, title: occurrence.taskTitle },
      LOAD_RETRIES,
    );
    return { outcome: "sent", messageId } satisfies DeliveryOutcome;
  };
}
