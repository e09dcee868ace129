import type { JobsClient } from "@nudge/dapr";
import type { TransactionSql } from "postgres";
import type { BatchingConfig } from "../config.ts";
import { bucketJobName, bucketOf, deliveryIdFor, fireTimeOf, shardOf } from "./buckets.ts";

/** A reminder occurrence to deliver: ids and its instant, nothing the delivery must re-check. */
export interface OccurrenceToArm {
  reminderId: string;
  taskId: string;
  userId: string;
  occurrenceKey: string;
  /** The instant it is due, RFC 3339. */
  at: string;
}

type Arming = Pick<BatchingConfig, "bucketMs" | "shards" | "prepareMs">;

/** The advisory lock that serializes arming into one bucket (a bigint: bucket ms × 64 + shard). */
const lockKeyOf = (bucket: number, shard: number) => BigInt(bucket) * 64n + BigInt(shard);

/**
 * Lock the buckets a transaction will arm into, in one global order, before it touches any of
 * them: two transactions arming into the same buckets (two replicas, or two partitions of one)
 * then wait for each other instead of deadlocking. Transaction-scoped; taking it again is free.
 */
export async function lockBuckets(tx: TransactionSql, buckets: Array<{ bucket: number; shard: number }>) {
  const keys = [...new Set(buckets.map((b) => lockKeyOf(b.bucket, b.shard)))].sort((a, b) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  for (const key of keys) await tx`select pg_advisory_xact_lock(${key.toString()}::bigint)`;
}

/** The bucket and shard an occurrence due at `at` is delivered from. */
export function placeOf(policy: Arming, reminderId: string, at: string) {
  return { bucket: bucketOf(Date.parse(at), policy.bucketMs), shard: shardOf(reminderId, policy.shards) };
}

/** What a bucket's job carries to the trigger. */
export interface BucketJob {
  bucket: number;
  shard: number;
}

/**
 * Buckets already made ready within one transaction (a bulk of events), with the instant their
 * job fires: a second occurrence of the same bucket needs no second look.
 */
export type BucketsSeen = Map<string, number>;

/**
 * Make sure the bucket's job fires in time for an occurrence due at `dueMs`, PREPARE ahead.
 * The bucket row is locked, so this is serialized with its trigger (which marks it fired):
 * - a new bucket gets its job;
 * - a bucket whose job is still ahead gets it moved earlier if this occurrence needs that;
 * - a bucket that has already fired starts its next generation (a job due now, or when the
 *   occurrence needs it): the fired workflow may have claimed its last page already, and an
 *   occurrence armed late must still be delivered, once and promptly.
 */
export async function readyBucket(
  tx: TransactionSql,
  jobs: JobsClient,
  policy: Arming,
  bucket: number,
  shard: number,
  dueMs: number,
  seen: BucketsSeen,
  nowMs = Date.now(),
): Promise<void> {
  const fireMs = fireTimeOf(dueMs, policy.prepareMs, nowMs);
  const name = bucketJobName(bucket, shard);
  const known = seen.get(name);
  if (known !== undefined && known <= fireMs) return;
  await lockBuckets(tx, [{ bucket, shard }]);
  // `do update` locks the existing row and returns it as it was; xmax = 0 means inserted.
  const [row] = await tx<{ inserted: boolean; state: string; fires_at: Date; generation: number }[]>`
    insert into buckets (bucket, shard, state, fires_at) values (${bucket}, ${shard}, 'scheduled', ${new Date(fireMs)})
    on conflict (bucket, shard) do update set bucket = buckets.bucket
    returning (xmax = 0) as inserted, state, fires_at, generation`;
  if (!row) throw new Error(`bucket ${name} neither inserted nor found`);
  let due: number | undefined;
  if (row.inserted) due = fireMs;
  else if (row.state === "fired") {
    await tx`
      update buckets set generation = generation + 1, state = 'scheduled', fires_at = ${new Date(fireMs)}, updated_at = now()
      where bucket = ${bucket} and shard = ${shard}`;
    due = fireMs;
  } else if (fireMs < row.fires_at.getTime()) {
    await tx`update buckets set fires_at = ${new Date(fireMs)}, updated_at = now() where bucket = ${bucket} and shard = ${shard}`;
    due = fireMs;
  }
  if (due !== undefined) {
    await jobs.schedule<BucketJob>(name, {
      dueTime: new Date(due).toISOString(),
      data: { bucket, shard },
      overwrite: true,
      // The trigger only starts a workflow; if the app is briefly unreachable, try again soon.
      failurePolicy: { constant: { interval: "2s", maxRetries: 30 } },
    });
  }
  seen.set(name, Math.min(due ?? row.fires_at.getTime(), known ?? Number.POSITIVE_INFINITY));
}

/**
 * Arm an occurrence: store it in its bucket and make the bucket's job ready. Arming the same
 * occurrence again changes nothing; one cancelled earlier is armed again (a task reopened
 * before the instant wants its reminder back); one already claimed is being delivered.
 */
export async function armOccurrence(
  tx: TransactionSql,
  jobs: JobsClient,
  policy: Arming,
  occurrence: OccurrenceToArm,
  seen: BucketsSeen,
  nowMs = Date.now(),
): Promise<"armed" | "unchanged"> {
  const dueMs = Date.parse(occurrence.at);
  const bucket = bucketOf(dueMs, policy.bucketMs);
  const shard = shardOf(occurrence.reminderId, policy.shards);
  const [row] = await tx<{ bucket: string; shard: number }[]>`
    insert into occurrences (delivery_id, reminder_id, occurrence_key, task_id, user_id, due_at, bucket, shard, state)
    values (${deliveryIdFor(occurrence.reminderId, occurrence.occurrenceKey)}, ${occurrence.reminderId},
            ${occurrence.occurrenceKey}, ${occurrence.taskId}, ${occurrence.userId}, ${new Date(dueMs)},
            ${bucket}, ${shard}, 'armed')
    on conflict (delivery_id) do update set
      state = 'armed', due_at = excluded.due_at, bucket = excluded.bucket, shard = excluded.shard, updated_at = now()
    where occurrences.state = 'cancelled'
    returning bucket, shard`;
  if (!row) return "unchanged";
  await readyBucket(tx, jobs, policy, bucket, shard, dueMs, seen, nowMs);
  return "armed";
}

/**
 * Disarm an occurrence that has not been claimed yet (one already claimed is caught by the
 * chunk's look-up in task-api). It stays as a tombstone until a new arming event for the same
 * occurrence arms it again. Its bucket's job is left alone: a bucket with nothing armed costs
 * one empty claim.
 */
export async function disarmOccurrence(
  tx: TransactionSql,
  policy: Arming,
  occurrence: Omit<OccurrenceToArm, "at"> & { at: string | null },
): Promise<void> {
  const dueMs = occurrence.at ? Date.parse(occurrence.at) : Date.now();
  await tx`
    insert into occurrences (delivery_id, reminder_id, occurrence_key, task_id, user_id, due_at, bucket, shard, state)
    values (${deliveryIdFor(occurrence.reminderId, occurrence.occurrenceKey)}, ${occurrence.reminderId},
            ${occurrence.occurrenceKey}, ${occurrence.taskId}, ${occurrence.userId}, ${new Date(dueMs)},
            ${bucketOf(dueMs, policy.bucketMs)}, ${shardOf(occurrence.reminderId, policy.shards)}, 'cancelled')
    on conflict (delivery_id) do update set state = 'cancelled', updated_at = now()
    where occurrences.state = 'armed'`;
}
