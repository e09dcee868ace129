import type { ReminderEvent } from "@nudge/contracts";
import type { JobsClient } from "@nudge/dapr";
import type { Sql } from "@nudge/db";
import type { BatchingConfig } from "../config.ts";
import { armOccurrence, type BucketsSeen, disarmOccurrence, lockBuckets, placeOf } from "./arming.ts";

const CONSUMER = "notification-service/reminders";

const ARMING = new Set(["reminder.scheduled", "reminder.rescheduled", "reminder.cancelled"]);

export type Outcome = "armed" | "rearmed" | "disarmed" | "ignored" | "duplicate" | "failed";

/**
 * Attempts of one transaction (a deadlock, a dropped connection, the scheduler briefly away)
 * before it counts as failed: 0.1, 0.4, 1.6 and 6.4 s apart, within Dapr's 30 s delivery timeout.
 */
const ATTEMPTS = 5;

/**
 * Can trying again help? Not for what PostgreSQL refuses as data (SQLSTATE class 22, 23, 42 …):
 * the same event fails the same way. Yes for a rolled-back transaction (40: deadlock,
 * serialization), a lost connection (08), a server in trouble (53, 57), and anything without
 * a SQLSTATE (the network, the sidecar or the scheduler).
 */
export function worthRetrying(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string" || !/^[0-9A-Z]{5}$/.test(code)) return true;
  return ["40", "08", "53", "57"].includes(code.slice(0, 2));
}

async function withRetries<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= ATTEMPTS || !worthRetrying(error)) throw error;
      await Bun.sleep(100 * 4 ** (attempt - 1));
    }
  }
}

/**
 * React to a bulk of `reminders` events, in their order (one task's events arrive in order: the
 * partition key is the task id). The bulk is one transaction: each event id is recorded with
 * its effect, so a redelivered bulk is acknowledged and skipped. Our own reports
 * (reminder.sent / reminder.failed) come back on the same topic, one per delivery: they are
 * acknowledged without any database work.
 *
 * When the bulk's transaction keeps failing, the events are handled one by one, so one that
 * cannot be handled holds back no other task's events; it is `failed` (and so is every later
 * event of its task, to keep their order) and the caller parks it on dlq-events. The retries
 * happen here because Dapr 1.18's bulk subscription does not redeliver an entry answered with
 * RETRY in any useful time.
 */
export async function handleReminderEvents(
  sql: Sql,
  jobs: JobsClient,
  policy: BatchingConfig,
  events: ReminderEvent[],
): Promise<Outcome[]> {
  const arming = events.filter((event) => ARMING.has(String(event.type)));
  if (arming.length === 0) return events.map(() => "ignored");
  let outcomes: Map<ReminderEvent, Outcome>;
  try {
    outcomes = await withRetries(() => applyInOneTransaction(sql, jobs, policy, arming));
  } catch {
    outcomes = new Map();
    const failedTasks = new Set<string>();
    for (const event of arming) {
      if (failedTasks.has(event.data.taskId)) {
        outcomes.set(event, "failed");
        continue;
      }
      try {
        const [outcome] = (
          await withRetries(() => applyInOneTransaction(sql, jobs, policy, [event]))
        ).values();
        outcomes.set(event, outcome ?? "ignored");
      } catch {
        failedTasks.add(event.data.taskId);
        outcomes.set(event, "failed");
      }
    }
  }
  return events.map((event) => outcomes.get(event) ?? "ignored");
}

async function applyInOneTransaction(
  sql: Sql,
  jobs: JobsClient,
  policy: BatchingConfig,
  arming: ReminderEvent[],
): Promise<Map<ReminderEvent, Outcome>> {
  const outcomes = new Map<ReminderEvent, Outcome>();
  await sql.begin(async (tx) => {
    // Locks in one order (event ids sorted, then buckets sorted): a bulk redelivered to another
    // replica, or another partition's bulk, waits instead of deadlocking.
    const fresh = new Set(
      (
        await tx<{ event_id: string }[]>`
          insert into processed_events (consumer, event_id)
          select ${CONSUMER}, id from unnest(${[...new Set(arming.map((e) => e.id))].sort()}::text[]) as id order by id
          on conflict do nothing returning event_id`
      ).map((row) => row.event_id),
    );
    await lockBuckets(
      tx,
      arming.flatMap((e) =>
        e.type !== "reminder.cancelled" && e.data.at && e.data.occurrenceKey
          ? [placeOf(policy, e.data.reminderId, e.data.at)]
          : [],
      ),
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
  return outcomes;
}
