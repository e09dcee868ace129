import type { WorkflowContext } from "@dapr/dapr";
import type { SeriesView } from "@nudge/contracts";
import { callActivityWithRetry } from "@nudge/dapr";
import type { Activities, CompletedOccurrence, CreatedOccurrence } from "../activities/index.ts";

export type NextOccurrenceOutcome =
  | CreatedOccurrence
  | { outcome: "ended" }
  | { outcome: "skipped"; reason: string };

const RETRIES = { maxAttempts: 10, firstDelayMs: 500, maxDelayMs: 30_000 };

/**
 * nextOccurrence: load the series → compute the next due instant → create that occurrence (or
 * end the series). Deterministic: only activities and the workflow's own clock (replayed, never
 * read live). Instance id = task id + completed version, so a redelivered event never runs it
 * twice; task-api's (series, index) uniqueness covers reopen/complete flapping and replays.
 */
export function nextOccurrence(activities: Activities) {
  return async function* nextOccurrence(ctx: WorkflowContext, completed: CompletedOccurrence) {
    const series: SeriesView | null = yield* callActivityWithRetry(
      ctx,
      activities.loadSeries,
      { seriesId: completed.seriesId },
      RETRIES,
    );
    if (!series)
      return { outcome: "skipped", reason: "the series no longer exists" } satisfies NextOccurrenceOutcome;
    if (series.stoppedAt || series.endedAt) {
      return {
        outcome: "skipped",
        reason: "the series was stopped or has ended",
      } satisfies NextOccurrenceOutcome;
    }
    const { dueAt } = yield* callActivityWithRetry(
      ctx,
      activities.computeNextDue,
      { series, completed, now: ctx.getCurrentUtcDateTime().toISOString() },
      RETRIES,
    );
    if (!dueAt) {
      yield* callActivityWithRetry(
        ctx,
        activities.endSeries,
        { seriesId: series.id, lastTaskId: completed.taskId },
        RETRIES,
      );
      return { outcome: "ended" } satisfies NextOccurrenceOutcome;
    }
    const created: CreatedOccurrence = yield* callActivityWithRetry(
      ctx,
      activities.createNextOccurrence,
      {
        seriesId: series.id,
        occurrenceIndex: completed.occurrenceIndex + 1,
        dueAt,
        previousTaskId: completed.taskId,
      },
      RETRIES,
    );
    return created satisfies NextOccurrenceOutcome;
  };
}
