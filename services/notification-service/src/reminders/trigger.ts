import type { DaprWorkflowClient } from "@dapr/dapr";
import { startWorkflowOnce } from "@nudge/dapr";
import type { Sql } from "@nudge/db";
import type { BucketInput, BucketSettings } from "../bucket-input.ts";
import { type BucketJob, lockBuckets } from "./arming.ts";
import { bucketInstanceId } from "./buckets.ts";

export type TriggerOutcome = "started" | "already-started" | "no-bucket";

/**
 * A bucket's job fired: mark the bucket fired (so an occurrence armed from now on starts the
 * next generation) and start the generation's workflow under its deterministic instance id. A
 * duplicate trigger — the scheduler's at-least-once retry, a redelivery after a crash between
 * the mark and the start — finds the mark and the instance, and starts nothing new.
 */
export async function bucketDue(
  sql: Sql,
  client: DaprWorkflowClient,
  workflowName: string,
  job: BucketJob,
  settings: BucketSettings,
): Promise<TriggerOutcome> {
  const [row] = await sql.begin(async (tx) => {
    // Arming schedules the job inside its transaction, under this lock: a job due at once can
    // fire before that transaction commits, and a bucket row it inserted is invisible until
    // then. Waiting for the lock waits for the commit (or the rollback).
    await lockBuckets(tx, [job]);
    return tx<{ incarnation: string; generation: number }[]>`
      update buckets set state = 'fired', updated_at = now()
      where bucket = ${job.bucket} and shard = ${job.shard}
      returning incarnation, generation`;
  });
  // A job without its row: the arming transaction that scheduled it rolled back.
  if (!row) return "no-bucket";
  const input: BucketInput = {
    ...settings,
    bucket: job.bucket,
    shard: job.shard,
    generation: row.generation,
  };
  return startWorkflowOnce(
    client,
    workflowName,
    input,
    bucketInstanceId(job.bucket, job.shard, Number(row.incarnation), row.generation),
  );
}
