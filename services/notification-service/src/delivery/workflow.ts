import type { WorkflowContext } from "@dapr/dapr";
import { callActivityWithRetry, workflowSteps } from "@nudge/dapr";
import type { BucketInput } from "../bucket-input.ts";
import type { ChunkResult, DeliveryActivities } from "./activities.ts";

export interface BucketOutcome {
  claimed: number;
  chunks: number;
  sent: number;
  notified: number;
  skipped: number;
  failed: number;
}

/** The longest wait between two attempts of anything (an outage). */
const MAX_DELAY_MS = 60_000;

const reasonOf = (error: unknown) => String((error as Error)?.message ?? "the chunk activity failed");

/**
 * bucketDelivery: one instance per (bucket, shard, generation). It claims the bucket's armed
 * occurrences in bounded pages — each page is cut into chunks, recorded in the database under
 * this instance id, so the claim activity's result (a count) is all the history holds — and
 * delivers the chunks side by side (`workflowSteps`: a chunk starts, earliest first, while fewer
 * than `parallelChunks` are in flight) while it claims the next page. A short page means the
 * bucket is empty: anything armed after the trigger belongs to the next generation.
 *
 * A chunk that reports a transient failure (429, 5xx, network, task-api or the sidecar down)
 * waits on a durable timer of its own — at least the provider's Retry-After — and is tried
 * again; the next chunk takes its slot meanwhile, so a chunk due later is not made late by it. After `maxAttempts` its occurrences fail
 * (reminder.failed and a dead-letter record each). Claims and failure records only touch our
 * database and the sidecar, so they wait out an outage of any length. Deterministic: only
 * activities, timers and the replayed clock.
 */
export function bucketDelivery(activities: DeliveryActivities) {
  return async function* bucketDelivery(ctx: WorkflowContext, input: BucketInput) {
    const instanceId = ctx.getWorkflowInstanceId();
    const outcome: BucketOutcome = { claimed: 0, chunks: 0, sent: 0, notified: 0, skipped: 0, failed: 0 };
    const report = () => ctx.setCustomStatus(JSON.stringify(outcome));
    const backoff = { firstDelayMs: input.firstRetryMs, maxDelayMs: MAX_DELAY_MS };
    const untilDone = { ...backoff, maxAttempts: Number.POSITIVE_INFINITY };
    const steps = workflowSteps(ctx, input.parallelChunks);

    async function* recordFailure(chunk: number, reason: string) {
      const failure = { instanceId, chunk, reason };
      // Read after the activity, not before: other steps add to the outcome while this one waits.
      const failed = yield* callActivityWithRetry(ctx, activities.failChunk, failure, untilDone);
      outcome.failed += failed;
      report();
    }

    async function* deliver(chunk: number) {
      try {
        const result: ChunkResult = yield* callActivityWithRetry(
          ctx,
          activities.deliverChunk,
          { instanceId, chunk },
          {
            ...backoff,
            maxAttempts: input.maxAttempts,
            tryAgain: (r) =>
              r.outcome === "retry" ? { reason: r.reason, afterMs: r.retryAfterMs } : undefined,
          },
        );
        if (result.outcome === "done") {
          outcome.sent += result.sent;
          outcome.notified += result.notified;
          outcome.skipped += result.skipped;
          outcome.failed += result.failed;
        }
        report();
      } catch (error) {
        // Out of attempts. Recording the failure is a step of its own: the chunk's slot goes to
        // the next chunk meanwhile.
        steps.start(recordFailure(chunk, reasonOf(error)));
      }
    }

    async function* claimAll() {
      let nextChunk = 0;
      for (let page = 0; ; page++) {
        const claimed = yield* callActivityWithRetry(
          ctx,
          activities.claimPage,
          {
            instanceId,
            bucket: input.bucket,
            shard: input.shard,
            page,
            firstChunk: nextChunk,
            pageSize: input.claimPage,
            chunkSize: input.chunkSize,
            chunkSpanMs: input.chunkSpanMs,
            chunkGapMs: input.chunkGapMs,
          },
          untilDone,
        );
        outcome.claimed += claimed.claimed;
        outcome.chunks += claimed.chunks;
        for (let i = 0; i < claimed.chunks; i++) steps.enqueue(deliver(nextChunk + i));
        nextChunk += claimed.chunks;
        report();
        if (claimed.claimed < input.claimPage) return;
      }
    }

    yield* steps.run(claimAll());
    return outcome;
  };
}
