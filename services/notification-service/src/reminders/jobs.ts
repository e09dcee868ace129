/**
 * What a per-occurrence reminder job carried before delivery moved to buckets. Such jobs may
 * still be pending in the scheduler after an upgrade; when one fires, its occurrence is armed
 * into the bucket pipeline (see app.ts), so it is delivered once like any other.
 */
export interface LegacyReminderJob {
  reminderId: string;
  taskId: string;
  userId: string;
  occurrenceKey: string;
  /** The instant the occurrence is due, RFC 3339. */
  at: string;
}
