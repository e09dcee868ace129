/**
 * Checks the cluster tests share: what a user sees (an email in the capture inbox, a next
 * occurrence in the task list, entries in the history), judged from outside the services.
 */
import { waitFor } from "@nudge/testing";
import { type Client, emailsTo } from "./cluster.ts";

/** A new task with one reminder `leadSeconds` from now. */
export async function taskWithReminderIn(user: Client, title: string, leadSeconds: number) {
  const task = await user.api("POST", "/tasks", { title });
  if (task.status !== 201)
    throw new Error(`POST /tasks answered ${task.status}: ${JSON.stringify(task.body)}`);
  const at = new Date(Date.now() + leadSeconds * 1000).toISOString();
  const reminder = await user.api("POST", `/tasks/${task.body.id}/reminders`, { at });
  if (reminder.status !== 201) {
    throw new Error(`POST /tasks/…/reminders answered ${reminder.status}: ${JSON.stringify(reminder.body)}`);
  }
  return { taskId: task.body.id as string, reminderId: reminder.body.id as string, at };
}

/**
 * Exactly one email reaches `address` within `withinMs`, and no second one during the
 * `quietMs` after it (a redelivery after a crash would land there).
 */
export async function emailedOnce(address: string, { withinMs = 90_000, quietMs = 20_000 } = {}) {
  const first = await waitFor(
    `an email to ${address} in the capture inbox`,
    async () => {
      const emails = await emailsTo(address);
      return emails.length > 0 ? emails : undefined;
    },
    { timeoutMs: withinMs, intervalMs: 500 },
  );
  await Bun.sleep(quietMs);
  const all = await emailsTo(address);
  return { first: first[0], all };
}

/** The user's activity feed (audit-service), newest first, every page of it (of one `type`). */
export async function activityOf(user: Client, type?: string) {
  const entries: Array<{ type: string; taskId: string }> = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({
      limit: "200",
      ...(type ? { type } : {}),
      ...(cursor ? { cursor } : {}),
    });
    const page = await user.history(`/activity?${query}`);
    if (page.status !== 200) throw new Error(`GET /history/activity answered ${page.status}`);
    for (const e of page.body.items as Array<{ type: string; taskId: string }>)
      entries.push({ type: e.type, taskId: e.taskId });
    cursor = page.body.nextCursor;
  } while (cursor);
  return entries;
}
