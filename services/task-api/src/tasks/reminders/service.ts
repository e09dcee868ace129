import type {
  InternalOccurrenceLookup,
  OccurrenceLookup,
  Reminder,
  ReminderCreate,
  ReminderEmailLinks,
  ReminderSnooze,
  ReminderWithOwner,
} from "@nudge/contracts";
import type { Sql } from "@nudge/db";
import { conflict, invalid, notFound } from "@nudge/http";
import type { TransactionSql } from "postgres";
import { recipient } from "../../users/service.ts";
import type { Actor } from "../actor.ts";
import { priorityName } from "../model.ts";
import { tasksService } from "../service.ts";
import { parseInstant } from "../validate.ts";
import { MAX_DURATION_SECONDS, nextFiring, parseDuration, type ReminderRow, toReminder } from "./model.ts";
import { moveOccurrences, selectReminders } from "./schedule.ts";

/** Mints the signed links of a reminder occurrence's email (links/mint.ts). */
export type LinksOf = (
  userId: string,
  task: { id: string; version: number; dueAt: string | null },
  occurrence: { id: string; occurrenceKey: string; firesAt: Date },
) => ReminderEmailLinks;

interface LockedTask {
  id: string;
  status: "open" | "completed";
  time_zone: string;
}

/** The user's task, row-locked: reminder changes of one task are serialized with task changes. */
async function lockTask(tx: TransactionSql, userId: string, taskId: string): Promise<LockedTask> {
  const [task] = await tx<LockedTask[]>`
    select id, status, time_zone from tasks where id = ${taskId} and user_id = ${userId} for update`;
  // Another user's task answers exactly like a missing one.
  if (!task) throw notFound(`task ${taskId}`);
  return task;
}

/** The reminder (of `taskId`, when given) with its task locked first, as task changes lock it. */
async function lockReminder(
  tx: TransactionSql,
  userId: string,
  reminderId: string,
  taskId?: string,
): Promise<{ task: LockedTask; reminder: ReminderRow }> {
  const [task] = await tx<LockedTask[]>`
    select t.id, t.status, t.time_zone from reminders r join tasks t on t.id = r.task_id
    where r.id = ${reminderId} and r.user_id = ${userId} ${taskId ? tx`and t.id = ${taskId}` : tx``}
    for update of t`;
  const [reminder] = task ? await selectReminders(tx, "r.id = $1", [reminderId], true) : [];
  if (!task || !reminder) throw notFound(`reminder ${reminderId}`);
  return { task, reminder };
}

export function remindersService(sql: Sql) {
  const tasks = tasksService(sql);
  return {
    /**
     * A reminder whose instant has already passed is refused (422 naming body.at or
     * body.before). A relative reminder on a task without a due date is accepted and stays
     * unarmed until the task gets one; on a completed task it is armed when the task reopens.
     */
    async create(
      actor: Actor,
      taskId: string,
      input: ReminderCreate,
      outer?: TransactionSql,
    ): Promise<Reminder> {
      const run = async (tx: TransactionSql) => {
        await lockTask(tx, actor.userId, taskId);
        const at = "at" in input ? parseInstant(input.at, "body.at") : null;
        const before = "before" in input ? parseDuration(input.before, "body.before") : null;
        const id = Bun.randomUUIDv7();
        await tx`
          insert into reminders (id, task_id, user_id, at, before)
          values (${id}, ${taskId}, ${actor.userId}, ${at},
                  ${before ? tx`make_interval(days => ${before.days}, secs => ${before.seconds})` : null})`;
        const [row] = (await selectReminders(tx, "r.id = $1", [id])) as [ReminderRow];
        const now = new Date();
        if (row.nominal && row.nominal <= now) {
          throw at
            ? invalid("body.at", "must be in the future")
            : invalid("body.before", `puts the reminder at ${row.nominal.toISOString()}, which has passed`);
        }
        const [armed] = await moveOccurrences(tx, actor, taskId, [row], (r) =>
          nextFiring({ nominal: r.nominal, snoozedUntil: null }, r.task_open, now),
        );
        return toReminder(armed as ReminderRow);
      };
      // `outer` lets the idempotency layer share its transaction.
      return outer ? run(outer) : sql.begin(run);
    },

    async list(userId: string, taskId: string): Promise<Reminder[]> {
      const [task] = await sql`select 1 from tasks where id = ${taskId} and user_id = ${userId}`;
      if (!task) throw notFound(`task ${taskId}`);
      return (await selectReminders(sql, "r.task_id = $1", [taskId])).map(toReminder);
    },

    /** Deleting an armed reminder cancels its occurrence. */
    async remove(actor: Actor, taskId: string, reminderId: string): Promise<void> {
      await sql.begin(async (tx) => {
        const { reminder } = await lockReminder(tx, actor.userId, reminderId, taskId);
        await moveOccurrences(tx, actor, taskId, [reminder], () => null);
        await tx`delete from reminders where id = ${reminderId}`;
      });
    },

    /**
     * Fire again at `until`, or `for` from now (days are calendar days in the task's time zone).
     * The snooze overrides the reminder's own instant until it passes; the task must be open.
     */
    async snooze(
      actor: Actor,
      reminderId: string,
      input: ReminderSnooze,
      outer?: TransactionSql,
    ): Promise<Reminder> {
      const run = async (tx: TransactionSql) => {
        const { task, reminder } = await lockReminder(tx, actor.userId, reminderId);
        if (task.status !== "open")
          throw conflict("the task is completed; reopen it to snooze its reminders");
        const now = new Date();
        let until: Date;
        if ("until" in input) {
          until = parseInstant(input.until, "body.until") as Date;
          if (until <= now) throw invalid("body.until", "must be in the future");
          if (until.getTime() - now.getTime() > MAX_DURATION_SECONDS * 1000) {
            throw invalid("body.until", "must be at most 366 days from now");
          }
        } else {
          const span = parseDuration(input.for, "body.for");
          if (!span.days && !span.seconds) throw invalid("body.for", "must be longer than zero");
          const [row] = await tx<{ until: Date }[]>`
            select ((${now.toISOString()}::timestamptz at time zone ${task.time_zone})
                    + make_interval(days => ${span.days})) at time zone ${task.time_zone}
                   + make_interval(secs => ${span.seconds}) as until`;
          until = (row as { until: Date }).until;
        }
        await tx`update reminders set snoozed_until = ${until} where id = ${reminderId}`;
        const [moved] = await moveOccurrences(
          tx,
          actor,
          task.id,
          [{ ...reminder, snoozed_until: until }],
          (r) => nextFiring({ nominal: r.nominal, snoozedUntil: r.snoozed_until }, r.task_open, now),
        );
        return toReminder(moved as ReminderRow);
      };
      // `outer` lets a signed email link share its transaction (and its single-use record).
      return outer ? run(outer) : sql.begin(run);
    },

    /** For the delivery workflow: is this occurrence still current, and whom does it go to? */
    async withOwner(reminderId: string): Promise<ReminderWithOwner> {
      const [row] = await selectReminders(sql, "r.id = $1", [reminderId]);
      if (!row) throw notFound(`reminder ${reminderId}`);
      return {
        reminder: toReminder(row),
        task: await tasks.get(row.user_id, row.task_id),
        owner: await recipient(sql, row.user_id),
      };
    },

    /**
     * For the delivery of a chunk: each occurrence's reminder as it is now (its current
     * occurrence key), its task and owner, in one query, and the signed links of the email for
     * an occurrence that is still current on an open task. A reminder or task that is gone
     * answers with nulls; a user who never set preferences has the defaults.
     */
    async lookupOccurrences(
      refs: InternalOccurrenceLookup["occurrences"],
      linksOf: LinksOf,
    ): Promise<OccurrenceLookup> {
      const ids = [...new Set(refs.map((ref) => ref.reminderId))];
      const rows = await sql<
        {
          id: string;
          occurrence_key: string | null;
          fires_at: Date | null;
          task_id: string;
          title: string;
          status: string;
          priority: number;
          due_at: Date | null;
          version: number;
          user_id: string;
          time_zone: string | null;
          email: string | null;
          reminder_emails: boolean | null;
        }[]
      >`
        select r.id, r.occurrence_key, r.fires_at, t.id as task_id, t.title, t.status, t.priority, t.due_at,
               t.version, r.user_id, u.time_zone, u.email, u.reminder_emails
        from reminders r join tasks t on t.id = r.task_id left join users u on u.id = r.user_id
        where r.id = any(${ids}::uuid[])`;
      const byId = new Map(rows.map((row) => [row.id, row]));
      return {
        items: refs.map(({ reminderId, occurrenceKey }) => {
          const row = byId.get(reminderId);
          if (!row) return { reminderId, occurrenceKey, currentOccurrenceKey: null, task: null, owner: null };
          const task = {
            id: row.task_id,
            title: row.title,
            status: row.status,
            priority: priorityName(row.priority),
            dueAt: row.due_at?.toISOString() ?? null,
          };
          const current = row.occurrence_key === occurrenceKey && row.fires_at && row.status === "open";
          const links = current
            ? linksOf(
                row.user_id,
                { ...task, version: row.version },
                { id: reminderId, occurrenceKey, firesAt: row.fires_at as Date },
              )
            : null;
          return {
            reminderId,
            occurrenceKey,
            currentOccurrenceKey: row.occurrence_key,
            task,
            owner: {
              userId: row.user_id,
              timeZone: row.time_zone ?? "UTC",
              email: row.email,
              reminderEmails: row.reminder_emails ?? true,
            },
            links,
          };
        }),
      };
    },
  };
}
