import type { ReminderEvent } from "@nudge/contracts";
import type { JobsClient } from "@nudge/dapr";
import type { Sql } from "@nudge/db";
import type { BatchingConfig } from "../config.ts";
import { armOccurrence, type BucketsSeen, disarmOccurrence } from "./arming.ts";

const CONSUMER = "notification-service/reminders";

const ARMING = new Set(["reminder.scheduled", "reminder.rescheduled", "reminder.cancelled"]);

export type Outcome = "armed" | "rearmed" | "disarmed" | "ignored" | "duplicate";

/**
 * React to a bulk of `reminders` events, in their order (one task's events arrive in order: the
 * partition key is the task id), in one transaction: each event id is recorded with its effect,
 * so a redelivered bulk is acknowledged and skipped; a failure rolls the whole bulk back and
 * Dapr redelivers it. Our own reports (reminder.sent / reminder.failed) come back on the same
 * topic, one per delivery: they are acknowledged without any database work.
 */
export async function handleReminderEvents(
  sql: Sql,
  jobs: JobsClient,
  policy: BatchingConfig,
  events: ReminderEvent[],
): Promise<Outcome[]> {
  const arming = events.filter((event) => ARMING.has(String(event.type)));
  if (arming.length === 0) return events.map(() => "ignored");
  const outcomes = new Map<ReminderEvent, Outcome>();
  await sql.begin(async (tx) => {
    const fresh = new Set(
      (
        await tx<{ event_id: string }[]>`
          insert into processed_events (consumer, event_id)
          select ${CONSUMER}, unnest(${arming.map((e) => e.id)}::text[])
          on conflict do nothing returning event_id`
      ).map((row) => row.event_id),
    );
    const seen: BucketsSeen = new Map();
    for (const event of arming) {
      // The same id twice within one bulk is a duplicate too.
      if (!fresh.delete(event.id)) {
        outcomes.set(event, "duplicate");
        continue;
      }
      const data = event.data;
      const occurrence =
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
          if (occurrence) await armOccurrence(tx, jobs, policy, occurrence, seen);
          outcomes.set(event, occurrence ? "armed" : "ignored");
          break;
        case "reminder.rescheduled":
          if (data.previousOccurrenceKey) {
            await disarmOccurrence(tx, policy, {
              ...data,
              occurrenceKey: data.previousOccurrenceKey,
              at: null,
            });
          }
          if (occurrence) await armOccurrence(tx, jobs, policy, occurrence, seen);
          outcomes.set(event, "rearmed");
          break;
        case "reminder.cancelled":
          if (data.occurrenceKey) {
            await disarmOccurrence(tx, policy, { ...data, occurrenceKey: data.occurrenceKey, at: data.at });
          }
          outcomes.set(event, "disarmed");
          break;
      }
    }
  });
  return events.map((event) => outcomes.get(event) ?? "ignored");
}
