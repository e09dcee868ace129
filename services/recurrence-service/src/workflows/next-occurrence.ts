import type { WorkflowContext } from "@dapr/dapr";
import { callActivityWithRetry } from "@nudge/dapr";
import type {
  Activities,
  CompletedOccurrence,
  CreatedOccurrence,
  NextOccurrencePlan,
} from "../activities/index.ts";

export type NextOccurrenceOutcome =
  | CreatedOccurrence
  | { outcome: "ended" }
  | { outcome: "skipped"; reason: string };

const RETRIES = { maxAttempts: 10, firstDelayMs: 500, maxDelayMs: 30_000 };

/**
 * nextOccurrence: plan (load the series, compute the next due instant) → create that occurrence
 * (or end the series). Two activities, so two round trips through the workflow engine. Deterministic: only activities and the workflow's own clock (replayed, never
 * read live). Instance id = task id + completed version, so a redelivered event never runs it
 * twice; task-api's (series, index) uniqueness covers reopen/complete flapping and replays.
 */
export function nextOccurrence(activities: Activities) {
  return async function* nextOccurrence(ctx: WorkflowContext, completed: CompletedOccurrence) {
    const plan: NextOccurrencePlan = yield* callActivityWithRetry(
      ctx,
      activities.planNextOccurrence,
      { completed, now: ctx.getCurrentUtcDateTime().toISOString() },
      RETRIES,
    );
    if (plan.action === "skip")
      return { outcome: "skipped", reason: plan.reason } satisfies NextOccurrenceOutcome;
    if (plan.action === "end") {
      yield* callActivityWithRetry(
        ctx,
        activities.endSeries,
        { seriesId: completed.seriesId, lastTaskId: completed.taskId },
        RETRIES,
      );
      return { outcome: "ended" } satisfies NextOccurrenceOutcome;
    }
    const created: CreatedOccurrence = yield* callActivityWithRetry(
      ctx,
      activities.createNextOccurrence,
      {
        seriesId: completed.seriesId,
        occurrenceIndex: completed.occurrenceIndex + 1,
        dueAt: plan.dueAt,
        previousTaskId: completed.taskId,
      },
      RETRIES,
    );
    return created satisfies NextOccurrenceOutcome;
  };
}
