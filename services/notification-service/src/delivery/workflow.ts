import type { Task, WorkflowContext } from "@dapr/dapr";
import { retryDelayMs } from "@nudge/dapr";
import type { BucketInput } from "../bucket-input.ts";
import type { ChunkResult, ClaimResult, DeliveryActivities } from "./activities.ts";

export interface BucketOutcome {
  claimed: number;
  chunks: number;
  sent: number;
  notified: number;
  skipped: number;
  failed: number;
}

/** How long a failed claim or failure record waits before the next attempt, at most (an outage). */
const MAX_CLAIM_DELAY_MS = 60_000;

type Pending =
  | { kind: "claim"; page: number; attempt: number }
  | { kind: "claim-wait"; page: number; attempt: number }
  | { kind: "chunk"; chunk: number; attempt: number }
  | { kind: "chunk-wait"; chunk: number; attempt: number }
  | { kind: "fail"; chunk: number; reason: string; attempt: number }
  | { kind: "fail-wait"; chunk: number; reason: string; attempt: number };

/**
 * bucketDelivery: one instance per (bucket, shard, generation). It claims the bucket's armed
 * occurrences in bounded pages — each page is cut into chunks, recorded in the database under
 * this instance id, so the claim activity's result (a count) is all the history holds — and
 * delivers the chunks in parallel (at most `parallelChunks` at once, earliest first) while it
 * claims the next page. A short page means the bucket is empty: anything armed after the
 * trigger belongs to the next generation.
 *
 * A chunk that reports a transient failure (429, 5xx, network, task-api or the sidecar down)
 * waits on a durable timer of its own and is tried again — the others carry on — honouring the
 * provider's Retry-After; after `maxAttempts` its occurrences fail (reminder.failed and a
 * dead-letter record each). Deterministic: only activities, timers and the replayed clock.
 */
export function bucketDelivery(activities: DeliveryActivities) {
  return async function* bucketDelivery(ctx: WorkflowContext, input: BucketInput) {
    const instanceId = ctx.getWorkflowInstanceId();
    const outcome: BucketOutcome = { claimed: 0, chunks: 0, sent: 0, notified: 0, skipped: 0, failed: 0 };
    const waiting: number[] = [];
    const outstanding = new Map<Task<unknown>, Pending>();
    let chunksInFlight = 0;
    let nextChunk = 0;
    const later = (ms: number) => new Date(ctx.getCurrentUtcDateTime().getTime() + ms);
    const retryDelay = (attempt: number, atLeastMs = 0) =>
      Math.max(
        atLeastMs,
        retryDelayMs(
          { maxAttempts: input.maxAttempts, firstDelayMs: input.firstRetryMs, maxDelayMs: 60_000 },
          attempt,
        ),
      );

    const claim = (page: number, attempt: number) =>
      outstanding.set(
        ctx.callActivity(activities.claimPage, {
          instanceId,
          bucket: input.bucket,
          shard: input.shard,
          page,
          firstChunk: nextChunk,
          pageSize: input.claimPage,
          chunkSize: input.chunkSize,
          chunkSpanMs: input.chunkSpanMs,
          chunkGapMs: input.chunkGapMs,
        }),
        { kind: "claim", page, attempt },
      );
    const fail = (chunk: number, reason: string, attempt: number) =>
      outstanding.set(ctx.callActivity(activities.failChunk, { instanceId, chunk, reason }), {
        kind: "fail",
        chunk,
        reason,
        attempt,
      });
    const deliver = (chunk: number, attempt: number) => {
      chunksInFlight++;
      outstanding.set(ctx.callActivity(activities.deliverChunk, { instanceId, chunk }), {
        kind: "chunk",
        chunk,
        attempt,
      });
    };

    claim(0, 1);
    for (;;) {
      while (waiting.length > 0 && chunksInFlight < input.parallelChunks)
        deliver(waiting.shift() as number, 1);
      if (outstanding.size === 0) break;
      const done = (yield ctx.whenAny([...outstanding.keys()])) as Task<unknown>;
      const step = outstanding.get(done) as Pending;
      outstanding.delete(done);
      switch (step.kind) {
        case "claim": {
          if (done.isFailed) {
            const delay = Math.min(retryDelay(step.attempt), MAX_CLAIM_DELAY_MS);
            outstanding.set(ctx.createTimer(later(delay)), {
              kind: "claim-wait",
              page: step.page,
              attempt: step.attempt,
            });
            break;
          }
          const claimed = done.getResult() as ClaimResult;
          outcome.claimed += claimed.claimed;
          outcome.chunks += claimed.chunks;
          for (let i = 0; i < claimed.chunks; i++) waiting.push(nextChunk + i);
          nextChunk += claimed.chunks;
          if (claimed.claimed >= input.claimPage) claim(step.page + 1, 1);
          break;
        }
        case "claim-wait":
          claim(step.page, step.attempt + 1);
          break;
        case "chunk": {
          chunksInFlight--;
          const result: ChunkResult = done.isFailed
            ? {
                outcome: "retry",
                reason: String(done.getException()?.message ?? "the chunk activity failed"),
              }
            : (done.getResult() as ChunkResult);
          if (result.outcome === "done") {
            outcome.sent += result.sent;
            outcome.notified += result.notified;
            outcome.skipped += result.skipped;
            outcome.failed += result.failed;
          } else if (step.attempt >= input.maxAttempts) {
            fail(step.chunk, result.reason, 1);
          } else {
            const delay = retryDelay(step.attempt, result.retryAfterMs);
            outstanding.set(ctx.createTimer(later(delay)), {
              kind: "chunk-wait",
              chunk: step.chunk,
              attempt: step.attempt,
            });
          }
          break;
        }
        case "chunk-wait":
          deliver(step.chunk, step.attempt + 1);
          break;
        case "fail":
          // Recording a failure only writes rows and events; if even that fails (the database
          // or the sidecar is down), it waits and tries again.
          if (done.isFailed) {
            const delay = Math.min(retryDelay(step.attempt), MAX_CLAIM_DELAY_MS);
            outstanding.set(ctx.createTimer(later(delay)), { ...step, kind: "fail-wait" });
          } else outcome.failed += done.getResult() as number;
          break;
        case "fail-wait":
          fail(step.chunk, step.reason, step.attempt + 1);
          break;
      }
      ctx.setCustomStatus(JSON.stringify(outcome));
    }
    return outcome;
  };
}
