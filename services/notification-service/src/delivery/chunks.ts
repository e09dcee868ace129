/** How a bucket's claimed occurrences are cut into chunks, and each chunk's send key. Pure. */

export interface ChunkPlan {
  /** Index of the occurrence's chunk, for each occurrence in the order given. */
  chunkOf: number[];
  chunks: number;
}

/** How occurrences share a chunk (one provider request). */
export interface ChunkRule {
  /** Occurrences per chunk at most. */
  size: number;
  /** A chunk spans at most this much from its first instant. */
  spanMs: number;
  /** …and takes the next occurrence only if it is due at most this long after the previous one. */
  gapMs: number;
}

/**
 * Cut occurrences (sorted by due instant) into chunks: a new chunk when the current one is full,
 * would span more than `spanMs` from its first instant, or the next occurrence is more than
 * `gapMs` after the previous one. A chunk is sent at its last instant, so no occurrence waits
 * more than `spanMs` for others — and only when others follow closely: a reminder with no
 * neighbour within the gap is sent alone, at its instant.
 */
export function planChunks(dueMs: number[], rule: ChunkRule, first = 0): ChunkPlan {
  const chunkOf: number[] = [];
  let chunk = first - 1;
  let count = 0;
  let startMs = Number.NEGATIVE_INFINITY;
  let previousMs = Number.NEGATIVE_INFINITY;
  for (const due of dueMs) {
    if (chunk < first || count >= rule.size || due - startMs > rule.spanMs || due - previousMs > rule.gapMs) {
      chunk++;
      count = 0;
      startMs = due;
    }
    chunkOf.push(chunk);
    count++;
    previousMs = due;
  }
  return { chunkOf, chunks: dueMs.length ? chunk - first + 1 : 0 };
}

/** A chunk's Resend Idempotency-Key (Resend allows 256 characters). */
export const sendKeyOf = (instanceId: string, chunk: number) => `${instanceId}-c${chunk}`;
