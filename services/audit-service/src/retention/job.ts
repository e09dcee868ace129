import type { JobsClient } from "@nudge/dapr";
import type { Sql } from "@nudge/db";

export const RETENTION_JOB = "audit-retention";

/**
 * One Dapr cron job per app-id (jobs belong to the app that scheduled them), overwritten at
 * every start so a changed schedule takes effect; every replica scheduling it is harmless.
 */
export async function scheduleRetention(jobs: JobsClient, schedule: string): Promise<void> {
  await jobs.schedule(RETENTION_JOB, {
    schedule,
    // Dapr 1.18 cannot print a job without data (GET answers 500), so it carries its purpose.
    data: { purpose: "delete history older than the retention" },
    overwrite: true,
    // A missed run is caught up by the next one; retry briefly if the app is restarting.
    failurePolicy: { constant: { interval: "30s", maxRetries: 10 } },
  });
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
