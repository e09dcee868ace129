import type { ReminderEvent } from "@nudge/contracts";
import type { JobsClient } from "@nudge/dapr";
import type { Sql } from "@nudge/db";
import type { Logger } from "@nudge/service";
import { armReminder, disarmReminder } from "./jobs.ts";

const CONSUMER = "notification-service/reminders";

const ARMING = new Set(["reminder.scheduled", "reminder.rescheduled", "reminder.cancelled"]);

export type Outcome = "armed" | "rearmed" | "disarmed" | "ignored" | "duplicate";

/**
 * React to one `reminders` event. The event id is recorded in the same transaction that is open
 * while the job is (re)scheduled: a failure rolls it back and Dapr redelivers; a duplicate is
 * acknowledged and skipped. Job calls are idempotent themselves (overwrite, delete-if-present),
 * so a crash between the job call and the commit only repeats a harmless call.
 */
export async function handleReminderEvent(
  sql: Sql,
  jobs: JobsClient,
  event: ReminderEvent,
  log: Logger,
): Promise<Outcome> {
  // Our own reports (reminder.sent / reminder.failed) come back on the same topic: one per
  // delivery, so they are acknowledged before any database work.
  if (!ARMING.has(String(event.type))) return "ignored";
  return sql.begin(async (tx) => {
    const [fresh] = await tx`
      insert into processed_events (consumer, event_id) values (${CONSUMER}, ${event.id})
      on conflict do nothing returning event_id`;
    if (!fresh) return "duplicate";
    const data = event.data;
    const job =
      data.at && data.occurrenceKey
        ? {
            reminderId: data.reminderId,
            taskId: data.taskId,
            userId: data.userId,
            occurrenceKey: data.occurrenceKey,
            at: data.at,
          }
        : undefined;
    switch (event.type) {
      case "reminder.scheduled":
        if (!job) return "ignored";
        log.debug("arming reminder", { job: await armReminder(jobs, job) });
        return "armed";
      case "reminder.rescheduled":
        if (data.previousOccurrenceKey)
          await disarmReminder(jobs, data.reminderId, data.previousOccurrenceKey);
        if (job) await armReminder(jobs, job);
        return "rearmed";
      case "reminder.cancelled":
        if (data.occurrenceKey) await disarmReminder(jobs, data.reminderId, data.occurrenceKey);
        return "disarmed";
      default:
        return "ignored";
    }
  });
}
