import { type JobsClient, scheduleCleanupJob } from "@nudge/dapr";
import type { Sql } from "@nudge/db";

export const RETENTION_JOB = "audit-retention";

/** The retention run, as a Dapr cron job (see scheduleCleanupJob). */
export async function scheduleRetention(jobs: JobsClient, schedule: string): Promise<void> {
  await scheduleCleanupJob(jobs, RETENTION_JOB, schedule, "delete history older than the retention");
}

/**
 * Delete history older than the retention, oldest first, `batchSize` rows per statement: each
 * batch is its own short transaction, so ingest never waits on a long lock.
 */
export async function deleteExpiredHistory(
  sql: Sql,
  retentionDays: number,
  batchSize: number,
  now = new Date(),
): Promise<{ cutoff: string; deleted: number }> {
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000);
  let deleted = 0;
  for (;;) {
    const rows = await sql`
      delete from audit_events where event_id in (
        select event_id from audit_events where occurred_at < ${cutoff}
        order by occurred_at limit ${batchSize} for update skip locked)
      returning 1`;
    deleted += rows.length;
    if (rows.length < batchSize) break;
  }
  return { cutoff: cutoff.toISOString(), deleted };
}
