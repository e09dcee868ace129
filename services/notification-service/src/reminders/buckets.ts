/**
 * Where an occurrence is delivered from: the due bucket (a window of REMINDER_BUCKET_MS) and
 * the shard its reminder hashes to. Pure, so arming, the trigger and the claim agree.
 */

/** The start of the bucket `dueMs` falls in, epoch ms. */
export const bucketOf = (dueMs: number, widthMs: number) => Math.floor(dueMs / widthMs) * widthMs;

/** FNV-1a over the reminder id: spreads reminders evenly and stays the same across restarts. */
export function shardOf(reminderId: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < reminderId.length; i++) {
    hash ^= reminderId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}

/** The bucket's Dapr job: one per (bucket, shard), re-scheduled under the same name. */
export const bucketJobName = (bucket: number, shard: number) => `bucket-${bucket}-${shard}`;

export function parseBucketJobName(name: string): { bucket: number; shard: number } | undefined {
  const match = /^bucket-(\d{1,16})-(\d{1,2})$/.exec(name);
  return match ? { bucket: Number(match[1]), shard: Number(match[2]) } : undefined;
}

/**
 * One workflow instance per bucket generation: a duplicate trigger finds it and starts nothing.
 * The incarnation tells apart a bucket row created again after the clean-up deleted it, so no
 * instance id is ever used twice.
 */
export const bucketInstanceId = (bucket: number, shard: number, incarnation: number, generation: number) =>
  `deliver-${bucket}-${shard}-i${incarnation}-g${generation}`;

/** A chunk's Resend Idempotency-Key (Resend allows 256 characters). */
export const sendKeyOf = (instanceId: string, chunk: number) => `${instanceId}-c${chunk}`;

/**
 * The delivery id of an occurrence: it keys the delivery row, the in-app notification and the
 * events' ids. (The same string named the occurrence's Dapr job before delivery moved to buckets.)
 */
export function deliveryIdFor(reminderId: string, occurrenceKey: string): string {
  return `reminder-${reminderId}-${occurrenceKey.replace(/[^A-Za-z0-9._-]/g, "_")}`.slice(0, 200);
}

/** When a bucket's job should fire: PREPARE ahead of its first instant, never in the past. */
export const fireTimeOf = (firstDueMs: number, prepareMs: number, nowMs: number) =>
  Math.max(nowMs, firstDueMs - prepareMs);

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
