/*
 * What the trigger (reminders/) hands the bucket workflow (delivery/) when it starts one: here,
 * beside config.ts, so both folders import it and neither imports the other.
 */

/**
 * The bucket workflow's input, fixed when the trigger starts it: the knobs travel in the input
 * rather than being read from config, so a replay after a restart with other settings still
 * takes exactly the same steps.
 */
export interface BucketInput {
  bucket: number;
  shard: number;
  generation: number;
  claimPage: number;
  chunkSize: number;
  chunkSpanMs: number;
  /** Absent in workflows started before the gap existed. */
  chunkGapMs?: number;
  parallelChunks: number;
  maxAttempts: number;
  firstRetryMs: number;
}

/** The knobs of every bucket's workflow, the same for all: from config, fixed at start. */
export type BucketSettings = Omit<BucketInput, "bucket" | "shard" | "generation">;
