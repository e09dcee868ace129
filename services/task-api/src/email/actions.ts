import type { Task } from "@nudge/contracts";
import type { Sql } from "@nudge/db";
import { ProblemError } from "@nudge/http";
import { addDays, instantAtLocalTime, localDay, readableWallClock } from "@nudge/recurrence";
import type { TransactionSql } from "postgres";
import type { LinkAction, LinkClaims, LinkKeys } from "../links/links.ts";
import { type LinkMinter, spanText } from "../links/mint.ts";
import { checkLink } from "../links/verify.ts";
import { remindersService } from "../tasks/reminders/service.ts";
import { loadTask, tasksService } from "../tasks/service.ts";
import { userTimeZone } from "../users/service.ts";
import { type Page, postButton } from "./pages.ts";
import {
  calendarLink,
  changedPage,
  confirmPage,
  refusedLink,
  resultPage,
  stalePage,
  taskPage,
} from "./task-pages.ts";

/** The actions a task link can carry, and which of them change something (used once). */
const TASK_ACTIONS: readonly LinkAction[] = ["done", "snooze-hour", "snooze-tomorrow", "open", "reopen"];
const SINGLE_USE: readonly LinkAction[] = ["done", "snooze-hour", "snooze-tomorrow", "reopen"];
/** "Snooze until tomorrow" means this wall-clock time, in the recipient's zone. */
export const SNOOZE_TOMORROW_AT = "09:00";
const UNDO_SECONDS = 24 * 3600;

/** What a link acts on, as it is now. */
export interface LinkState {
  claims: LinkClaims;
  task?: Task;
  /** The recipient's zone: every time on the pages is in it. */
  zone: string;
  used?: { at: Date; outcome: string };
  /** Snooze links of a reminder email: the reminder as it is now (absent: deleted). */
  reminder?: { occurrenceKey: string | null; firesAt: Date | null };
}

async function loadState(db: Sql | TransactionSql, claims: LinkClaims, linkId: string, lock: boolean) {
  const { userId, taskId = "" } = claims;
  let task: Task | undefined;
  try {
    task = await loadTask(db, userId, taskId, lock);
  } catch (error) {
    if (!(error instanceof ProblemError && error.status === 404)) throw error;
  }
  const [used] = await db<{ used_at: Date; outcome: string }[]>`
    select used_at, outcome from email_link_uses where link_id = ${linkId}`;
  const [reminder] = claims.reminderId
    ? await db<{ occurrence_key: string | null; fires_at: Date | null }[]>`
        select occurrence_key, fires_at from reminders
        where id = ${claims.reminderId} and user_id = ${userId} and task_id = ${taskId}
        ${lock ? db`for update` : db``}`
    : [];
  const state: LinkState = { claims, task, zone: await userTimeZone(db, userId) };
  if (used) state.used = { at: used.used_at, outcome: used.outcome };
  if (reminder) state.reminder = { occurrenceKey: reminder.occurrence_key, firesAt: reminder.fires_at };
  return state;
}

/** When a snooze link would remind again if it were used at `now`. */
export function snoozeUntil(action: LinkAction, zone: string, now: Date, snoozeSeconds: number): Date {
  if (action === "snooze-hour") return new Date(now.getTime() + snoozeSeconds * 1000);
  return instantAtLocalTime(addDays(localDay(now, zone), 1), SNOOZE_TOMORROW_AT, zone);
}

/**
 * Why a link cannot do its action on the task as it is now, as the page to show; undefined when
 * it can. The same check runs for GET (the page) and, under the task's row lock, for POST.
 */
function refusal(state: LinkState, minter: LinkMinter): Page | undefined {
  const { claims, task, used, zone } = state;
  if (used)
    return stalePage(
      "already-used",
      `You already used this link on ${readableWallClock(used.at, zone)}: ${used.outcome}.`,
    );
  if (!task) return stalePage("gone", "This task doesn't exist any more; it may have been deleted.", 404);
  if (claims.action === "open") return undefined;
  if (claims.action === "reopen") {
    if (task.status === "open")
      return stalePage("already-open", "This task is open already.", 409, task, zone);
  } else if (task.status === "completed") {
    const when = task.completedAt ? ` on ${readableWallClock(new Date(task.completedAt), zone)}` : "";
    const text =
      claims.action === "done"
        ? `This task was already marked done${when}.`
        : `This task was marked done${when}, so there is nothing to snooze.`;
    return stalePage("already-done", text, 409, task, zone);
  }
  if (claims.reminderId) {
    if (!state.reminder)
      return stalePage(
        "reminder-gone",
        "This reminder was deleted after the email was sent.",
        404,
        task,
        zone,
      );
    if (state.reminder.occurrenceKey !== claims.occurrenceKey) {
      const next = state.reminder.firesAt
        ? ` It is now set for ${readableWallClock(state.reminder.firesAt, zone)}.`
        : "";
      return stalePage(
        "moved",
        `This reminder was changed after the email was sent.${next}`,
        409,
        task,
        zone,
      );
    }
    return undefined;
  }
  if (claims.taskVersion !== undefined && claims.taskVersion !== task.version) {
    // Offer the same action on the task as it is now, expiring when this link does.
    return changedPage(task, zone, claims.action, minter.again({ ...claims, taskVersion: task.version }));
  }
  return undefined;
}

export function emailActions(sql: Sql, keys: LinkKeys, minter: LinkMinter, snoozeSeconds: number) {
  const tasks = tasksService(sql);
  const reminders = remindersService(sql);

  /** Does the action; returns what the result page and the single-use record say. */
  async function perform(tx: TransactionSql, state: LinkState, traceparent?: string): Promise<Page> {
    const { claims, zone } = state;
    const task = state.task as Task;
    const actor = { userId: claims.userId, traceparent };
    if (claims.action === "done" || claims.action === "reopen") {
      const status = claims.action === "done" ? "completed" : "open";
      const after = await tasks.setStatus(actor, task.id, status, task.version, tx);
      const undo =
        claims.action === "done"
          ? postButton(
              "Undo",
              minter.again({
                action: "reopen",
                userId: claims.userId,
                taskId: task.id,
                taskVersion: after.version,
                expiresAt: Math.floor(Date.now() / 1000) + UNDO_SECONDS,
              }),
              {},
              true,
            )
          : "";
      return resultPage(claims.action === "done" ? "done" : "reopened", after, zone, undo);
    }
    const until = snoozeUntil(claims.action, zone, new Date(), snoozeSeconds);
    if (claims.reminderId)
      await reminders.snooze(actor, claims.reminderId, { until: until.toISOString() }, tx);
    else await reminders.create(actor, task.id, { at: until.toISOString() }, tx);
    return resultPage("snoozed", task, zone, "", until);
  }

  return {
    /** GET: what the link would do, and a button that does it. Never changes anything. */
    async view(token: string): Promise<Page> {
      const check = checkLink(keys, token, TASK_ACTIONS);
      if (!check.valid) return refusedLink(check.reason);
      const state = await loadState(sql, check.claims, check.linkId, false);
      const refused = refusal(state, minter);
      if (refused) return refused;
      if (state.claims.action === "open")
        return taskPage(state.task as Task, state.zone, calendarLink(token, state.task as Task));
      const until = snoozeUntil(state.claims.action, state.zone, new Date(), snoozeSeconds);
      return confirmPage(
        state.claims,
        state.task as Task,
        state.zone,
        until,
        `Snooze ${spanText(snoozeSeconds)}`,
      );
    },

    /** POST: the action, once, through the same services as the REST API. */
    async act(token: string, traceparent?: string): Promise<Page> {
      const check = checkLink(keys, token, TASK_ACTIONS);
      if (!check.valid) return refusedLink(check.reason);
      const { claims, linkId } = check;
      if (!SINGLE_USE.includes(claims.action)) {
        return refusedLink("read-only");
      }
      return sql.begin(async (tx) => {
        // loadState locks the task row first, as every task change does: concurrent uses of the
        // same link queue here, and the second finds the first one's record.
        const state = await loadState(tx, claims, linkId, true);
        const refused = refusal(state, minter);
        if (refused) return refused;
        const page = await perform(tx, state, traceparent);
        await tx`
          insert into email_link_uses (link_id, user_id, action, task_id, outcome)
          values (${linkId}, ${claims.userId}, ${claims.action}, ${claims.taskId ?? null}, ${page.title})
          on conflict (link_id) do nothing`;
        return page;
      });
    },
  };
}
