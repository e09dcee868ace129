import type { JobsClient } from "@nudge/dapr";

/** What a reminder job carries: ids only, the workflow loads everything current itself. */
export interface ReminderJob {
  reminderId: string;
  taskId: string;
  userId: string;
  occurrenceKey: string;
  /** The instant the occurrence is due, RFC 3339. */
  at: string;
}

/**
 * One Dapr job per reminder occurrence, named after it: a duplicate `reminder.scheduled` for the
 * same occurrence overwrites the same job instead of adding a second one. The name is also the
 * delivery workflow's instance id and the email's idempotency key.
 */
export function jobNameFor(reminderId: string, occurrenceKey: string): string {
  return `reminder-${reminderId}-${occurrenceKey.replace(/[^A-Za-z0-9._-]/g, "_")}`.slice(0, 200);
}

export async function armReminder(jobs: JobsClient, job: ReminderJob): Promise<string> {
  const name = jobNameFor(job.reminderId, job.occurrenceKey);
  await jobs.schedule(name, {
    dueTime: job.at,
    data: job,
    overwrite: true,
    // The trigger only starts a workflow; if the app is briefly unreachable, try again soon.
    failurePolicy: { constant: { interval: "2s", maxRetries: 30 } },
  });
  return name;
}

export async function disarmReminder(
  jobs: JobsClient,
  reminderId: string,
  occurrenceKey: string,
): Promise<string> {
  const name = jobNameFor(reminderId, occurrenceKey);
  await jobs.delete(name);
  return name;
}
