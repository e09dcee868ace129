import type { OccurrenceLookup } from "@nudge/contracts";
import type { Sender } from "../email/headers.ts";
import type { ReminderEmailContext } from "../email/reminder.ts";

/** A claimed occurrence, as the chunk activity reads it back. */
export interface Member {
  deliveryId: string;
  reminderId: string;
  occurrenceKey: string;
  taskId: string;
  userId: string;
  dueAt: Date;
}

export type Decision =
  | { kind: "email"; context: ReminderEmailContext }
  /** Still wanted, but not by email: the in-app notification alone says so (`reason`). */
  | { kind: "in-app"; title: string; reason: string }
  | { kind: "skip"; reason: string };

/**
 * Is this occurrence still wanted, and how does it reach its user? Decided from what task-api
 * says now: a completed or deleted task, or a reminder moved to another instant (a snooze, a
 * new due date, a cancellation) means nothing at all; reminder emails turned off (an
 * unsubscribe) or no address means the in-app notification only. An email carries the signed
 * links task-api minted for exactly this occurrence.
 */
export function decide(
  member: Member,
  view: OccurrenceLookup["items"][number] | undefined,
  sender: Sender,
): Decision {
  if (!view?.task || !view.owner)
    return { kind: "skip", reason: "the reminder or its task no longer exists" };
  if (view.task.status !== "open") return { kind: "skip", reason: "the task is completed" };
  if (view.currentOccurrenceKey !== member.occurrenceKey) {
    return { kind: "skip", reason: "the reminder was moved to another instant" };
  }
  const title = view.task.title;
  if (view.owner.reminderEmails === false)
    return { kind: "in-app", title, reason: "reminder emails are off" };
  if (!view.owner.email) return { kind: "in-app", title, reason: "no email address is set" };
  if (!view.links) return { kind: "skip", reason: "the reminder is not armed" };
  return {
    kind: "email",
    context: {
      deliveryId: member.deliveryId,
      recipient: { email: view.owner.email, timeZone: view.owner.timeZone },
      task: view.task,
      links: view.links,
      sender,
    },
  };
}
