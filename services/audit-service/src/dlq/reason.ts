import { ReminderEvent, SeriesEvent, TaskEvent, TaskUpdate, TOPICS } from "@nudge/contracts";
import type { TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
// TypeBox checks the uuid and date-time formats only once Elysia has registered them.
import "elysia";

/** The contract a parked event's type belongs to. */
function contractOf(type: string): { name: string; schema: TSchema } | undefined {
  if (type.startsWith("task.recurring.")) return { name: "SeriesEvent", schema: SeriesEvent };
  if (type === "task.changed") return { name: "TaskUpdate", schema: TaskUpdate };
  if (type.startsWith("task.")) return { name: "TaskEvent", schema: TaskEvent };
  if (type.startsWith("reminder.")) return { name: "ReminderEvent", schema: ReminderEvent };
  return undefined;
}

/**
 * When Dapr's Kafka consumer did not record the original topic (a record published to
 * dlq-events directly, by an app rather than by a subscription), it follows from the type.
 */
export function topicOfType(type: string): string {
  if (type === "task.changed") return TOPICS.taskUpdates;
  if (type.startsWith("reminder.")) return TOPICS.reminders;
  return TOPICS.taskEvents;
}

/**
 * Dapr parks a message without saying why. What can be said afterwards: the event breaks its
 * contract (which fields), it is a service's own failure report, or its handler kept failing.
 */
export function reasonFor(event: Record<string, unknown>): string {
  const type = typeof event.type === "string" ? event.type : "";
  if (type === "reminder.failed") {
    const data = event.data as { reason?: unknown } | undefined;
    return `reminder delivery failed: ${String(data?.reason ?? "no reason given")}`;
  }
  const contract = contractOf(type);
  if (!contract) return `unknown event type ${JSON.stringify(type)}`;
  const errors = [...Value.Errors(contract.schema, event)].slice(0, 3);
  if (errors.length) {
    return `invalid ${contract.name}: ${errors.map((e) => `${e.path || "/"} ${e.message}`).join("; ")}`;
  }
  return "its handler kept failing until the resiliency policy's retries ran out (see the consumer's log)";
}
