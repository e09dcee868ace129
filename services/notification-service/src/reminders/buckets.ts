/**
 * Where an occurrence is delivered from: the due bucket (a window of REMINDER_BUCKET_MS) and
 * the shard its reminder hashes to. Pure, so arming, the trigger and the clean-up agree.
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
