import type { DaprWorkflowClient } from "@dapr/dapr";
import { type JobsClient, scheduleCleanupJob } from "@nudge/dapr";
import type { Sql } from "@nudge/db";
import { bucketInstanceId } from "./buckets.ts";

export const RETENTION_JOB = "notification-retention";

export interface RetentionConfig {
  /** Dapr Jobs schedule of the clean-up (cron with seconds, or @hourly/@every …). */
  schedule: string;
  /** Recorded chunk requests are kept this long (Resend forgets idempotency keys after 24 h). */
  sendHours: number;
  /** Delivered or cancelled occurrences, fired buckets (and their workflows), handled event ids. */
  days: number;
  /** Rows per statement. */
  batchSize: number;
  /**
   * A digest later than this is recorded skipped, never sent (DIGEST_MAX_LATENESS_MINUTES): a
   * finished digest's record is kept at least this long, so a day task-api reports again after
   * the record is gone is recorded too late, not emailed a second time.
   */
  digestMaxLatenessMs: number;
}

/** One run stops starting new work after this long; the next run carries on where it stopped. */
const RUN_BUDGET_MS = 20_000;

/** The retention run, as a Dapr cron job (see scheduleCleanupJob). */
export async function scheduleRetention(jobs: JobsClient, schedule: string): Promise<void> {
  await scheduleCleanupJob(
    jobs,
    RETENTION_JOB,
    schedule,
    "delete delivery bookkeeping older than its retention",
  );
}

export interface RetentionOutcome {
  sends: number;
  occurrences: number;
  buckets: number;
  workflowsPurged: number;
  events: number;
  digests: number;
  /** True when the run's time budget ran out with old rows left for the next run. */
  more: boolean;
}

/**
 * What delivery leaves behind, deleted once it can no longer matter, each statement a short
 * transaction of at most `batchSize` rows:
 * - chunk requests older than `sendHours` whose deliveries are all at an end (a repeat after
 *   Resend forgot the key would send again anyway, and these are the largest rows);
 * - occurrences cancelled, or claimed and delivered (sent, skipped, failed), `days` ago;
 * - buckets that fired `days` ago, once every generation's workflow instance is purged from
 *   Dapr's state store (or was never started); an occurrence armed into the bucket later
 *   creates it again as a new incarnation, with instance ids never used before;
 * - handled event ids `days` old;
 * - finished digest records (sent, empty, skipped, failed) whose instant is `days` ago and
 *   beyond the digest's maximum lateness.
 * Delivery rows stay (they are the operators' record, and what keeps an occurrence that is
 * armed again from being emailed twice). Armed occurrences and scheduled buckets are never
 * touched, however old.
 */
export async function deleteExpired(
  sql: Sql,
  workflows: DaprWorkflowClient,
  config: Omit<RetentionConfig, "schedule">,
  now = new Date(),
): Promise<RetentionOutcome> {
  const started = performance.now();
  const inBudget = () => performance.now() - started < RUN_BUDGET_MS;
  const sendCutoff = new Date(now.getTime() - config.sendHours * 3_600_000);
  const cutoff = new Date(now.getTime() - config.days * 86_400_000);
  const { batchSize } = config;
  const outcome: RetentionOutcome = {
    sends: 0,
    occurrences: 0,
    buckets: 0,
    workflowsPurged: 0,
    events: 0,
    digests: 0,
    more: false,
  };
  /** Repeat a bounded delete until it deletes less than a batch or the budget is spent. */
  const inBatches = async (remove: () => Promise<number>) => {
    let total = 0;
    for (;;) {
      const deleted = await remove();
      total += deleted;
      if (deleted < batchSize) return total;
      if (!inBudget()) {
        outcome.more = true;
        return total;
      }
    }
  };

  outcome.sends = await inBatches(
    async () =>
      (
        await sql`
          delete from sends where idempotency_key in (
            select s.idempotency_key from sends s
            where s.created_at < ${sendCutoff}
              and not exists (
                select 1 from deliveries d
                where d.instance_id = any(s.delivery_ids) and d.status not in ('sent', 'skipped', 'failed'))
            limit ${batchSize} for update of s skip locked)
          returning 1`
      ).length,
  );
  outcome.occurrences = await inBatches(
    async () =>
      (
        await sql`
          delete from occurrences where delivery_id in (
            select o.delivery_id from occurrences o
            left join deliveries d on d.instance_id = o.delivery_id
            where o.updated_at < ${cutoff}
              and (o.state = 'cancelled' or (o.state = 'claimed' and d.status in ('sent', 'skipped', 'failed')))
            limit ${batchSize} for update of o skip locked)
          returning 1`
      ).length,
  );
  // Bucket by bucket in key order, so one whose instance cannot be purged yet is passed over.
  let after = { bucket: "-1", shard: -1 };
  for (;;) {
    const fired = await sql<{ bucket: string; shard: number; incarnation: string; generation: number }[]>`
      select bucket, shard, incarnation, generation from buckets
      where state = 'fired' and updated_at < ${cutoff} and (bucket, shard) > (${after.bucket}::bigint, ${after.shard}::smallint)
      order by bucket, shard limit ${batchSize}`;
    const gone: Array<{ bucket: string; shard: number; generation: number }> = [];
    for (const row of fired) {
      let purgedAll = true;
      for (let generation = 0; generation <= row.generation; generation++) {
        const id = bucketInstanceId(Number(row.bucket), row.shard, Number(row.incarnation), generation);
        const result = await purgeInstance(workflows, id);
        if (result === "purged") outcome.workflowsPurged++;
        if (result === "kept") purgedAll = false;
      }
      if (purgedAll) gone.push(row);
    }
    if (gone.length > 0) {
      // Only if nothing was armed into the bucket meanwhile (that makes it scheduled again, with
      // a new generation whose instance is still to come).
      const deleted = await sql`
        delete from buckets b
        using unnest(${gone.map((g) => g.bucket)}::bigint[], ${gone.map((g) => g.shard)}::smallint[],
                     ${gone.map((g) => g.generation)}::int[]) as v(bucket, shard, generation)
        where b.bucket = v.bucket and b.shard = v.shard and b.generation = v.generation and b.state = 'fired'
        returning 1`;
      outcome.buckets += deleted.length;
    }
    const last = fired.at(-1);
    if (!last || fired.length < batchSize) break;
    if (!inBudget()) {
      outcome.more = true;
      break;
    }
    after = { bucket: last.bucket, shard: last.shard };
  }
  outcome.events = await inBatches(
    async () =>
      (
        await sql`
          delete from processed_events where (consumer, event_id) in (
            select consumer, event_id from processed_events where processed_at < ${cutoff}
            limit ${batchSize} for update skip locked)
          returning 1`
      ).length,
  );
  const digestCutoff = new Date(Math.min(cutoff.getTime(), now.getTime() - config.digestMaxLatenessMs));
  outcome.digests = await inBatches(
    async () =>
      (
        await sql`
          delete from digests where id in (
            select id from digests
            where status in ('sent', 'empty', 'skipped', 'failed') and due_at < ${digestCutoff}
            limit ${batchSize} for update skip locked)
          returning 1`
      ).length,
  );
  return outcome;
}

/**
 * Purge one bucket workflow instance: `purged`, `absent` (never started — its trigger was
 * overtaken by the next generation's), or `kept` (it still exists: running, or the sidecar did
 * not answer) — then its bucket row must stay, or the id could be handed out again.
 */
async function purgeInstance(
  workflows: DaprWorkflowClient,
  instanceId: string,
): Promise<"purged" | "absent" | "kept"> {
  if (await workflows.purgeWorkflow(instanceId).catch(() => false)) return "purged";
  try {
    return (await workflows.getWorkflowState(instanceId, false)) ? "kept" : "absent";
  } catch (error) {
    return /not found|no such instance/i.test(String(error)) ? "absent" : "kept";
  }
}
