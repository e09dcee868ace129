import type { OccurrenceLookup } from "@nudge/contracts";
import type { ReminderContext } from "../email/render.ts";

/** A claimed occurrence, as the chunk activity reads it back. */
export interface Member {
  deliveryId: string;
  reminderId: string;
  occurrenceKey: string;
  taskId: string;
  userId: string;
  dueAt: Date;
}

export type Decision = { send: true; context: ReminderContext } | { send: false; reason: string };

/**
 * Is this occurrence still wanted, and to whom does it go? Decided from what task-api says now:
 * a completed or deleted task, a reminder moved to another instant (a snooze, a new due date,
 * a cancellation), or a user without a reminder address means no email.
 */
export function decide(
  member: Member,
  view: OccurrenceLookup["items"][number] | undefined,
  linkBaseUrl: string,
): Decision {
  if (!view?.task || !view.owner) return { send: false, reason: "the reminder or its task no longer exists" };
  if (view.task.status !== "open") return { send: false, reason: "the task is completed" };
  if (view.currentOccurrenceKey !== member.occurrenceKey) {
    return { send: false, reason: "the reminder was moved to another instant" };
  }
  if (!view.owner.email) return { send: false, reason: "the user has no reminder email address" };
  return {
    send: true,
    context: {
      deliveryId: member.deliveryId,
      recipient: { userId: view.owner.userId, email: view.owner.email, timeZone: view.owner.timeZone },
      task: view.task,
      reminder: {
        id: member.reminderId,
        occurrenceKey: member.occurrenceKey,
        at: member.dueAt.toISOString(),
      },
      linkBaseUrl,
    },
  };
}
