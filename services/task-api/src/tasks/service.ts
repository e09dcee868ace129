import type { Task, TaskCreate, TaskEventType, TaskPatch } from "@nudge/contracts";
import type { Sql } from "@nudge/db";
import { invalid, notFound, preconditionFailed } from "@nudge/http";
import type { TransactionSql } from "postgres";
import { enqueueTaskChange } from "../outbox/enqueue.ts";
import { ensureUser } from "../users/service.ts";
import { canonicalTimeZone } from "../users/time-zones.ts";
import type { Actor } from "./actor.ts";
import { priorityRank, ROW_COLUMNS, sortTagNames, TASK_COLUMNS, type TaskRow, toTask } from "./model.ts";
import { followTask } from "./reminders/schedule.ts";
import { applySeriesChanges, type SeriesPlacement, type SeriesScope, startSeries } from "./series-of-task.ts";
import { setTaskTags, tagNewTask } from "./tags-of-task.ts";
import { cleanTitle, normalizeRecurrence, normalizeTagNames, parseInstant } from "./validate.ts";

type IfMatch = number | "*" | undefined;

export async function loadTask(
  db: Sql | TransactionSql,
  userId: string,
  id: string,
  lock = false,
): Promise<Task> {
  const rows = lock
    ? await db.unsafe<TaskRow[]>(
        `select ${TASK_COLUMNS} from tasks t where t.id = $1 and t.user_id = $2 for update`,
        [id, userId],
      )
    : await db.unsafe<TaskRow[]>(`select ${TASK_COLUMNS} from tasks t where t.id = $1 and t.user_id = $2`, [
        id,
        userId,
      ]);
  // Another user's task answers exactly like a missing one: never reveal that it exists.
  if (!rows[0]) throw notFound(`task ${id}`);
  return toTask(rows[0]);
}

function checkVersion(task: Task, ifMatch: IfMatch) {
  if (ifMatch === undefined || ifMatch === "*") return;
  if (ifMatch !== task.version) throw preconditionFailed(task.version);
}

const COMPARED: Array<keyof Task> = [
  "title",
  "description",
  "status",
  "priority",
  "tags",
  "dueAt",
  "timeZone",
  "completedAt",
  "recurrence",
  "series",
];

export function changedFields(before: Task | undefined, after: Task): string[] {
  if (!before) return COMPARED.filter((field) => field !== "completedAt" || after.completedAt !== null);
  return COMPARED.filter((field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]));
}

async function announce(tx: TransactionSql, actor: Actor, type: TaskEventType, task: Task, before?: Task) {
  await enqueueTaskChange(tx, {
    type,
    task,
    userId: actor.userId,
    changedFields: changedFields(before, task),
    trace: actor.trace,
  });
}

export function tasksService(sql: Sql) {
  return {
    get: (userId: string, id: string) => loadTask(sql, userId, id),

    /**
     * Creates the task; `outer` lets the idempotency layer share its transaction. A task with a
     * rule starts a series (index 0) unless `placement` puts it into an existing one.
     */
    async create(
      actor: Actor,
      input: TaskCreate,
      outer?: TransactionSql,
      placement?: SeriesPlacement,
    ): Promise<Task> {
      // The hot path: six round trips (ensure user, insert, tags, outbox) instead of re-reading.
      const run = async (db: TransactionSql) => {
        const user = await ensureUser(db, actor.userId);
        const id = Bun.randomUUIDv7();
        const timeZone = input.timeZone ? canonicalTimeZone(input.timeZone, "body.timeZone") : user.timeZone;
        const title = cleanTitle(input.title);
        const dueAt = parseInstant(input.dueAt ?? null, "body.dueAt");
        const rule = normalizeRecurrence(input.recurrence ?? null, { timeZone, anchor: dueAt });
        const names = input.tags?.length ? normalizeTagNames(input.tags) : [];
        const series =
          placement ??
          (rule
            ? await startSeries(db, actor.userId, {
                rule,
                dueAt,
                timeZone,
                title,
                description: input.description ?? "",
                priority: priorityRank(input.priority ?? "none"),
                tags: names,
                mode: input.recurrenceMode,
                skipMissed: input.skipMissed,
              })
            : undefined);
        if (!rule && (input.recurrenceMode !== undefined || input.skipMissed !== undefined)) {
          const field = input.recurrenceMode !== undefined ? "body.recurrenceMode" : "body.skipMissed";
          throw invalid(field, "applies to recurring tasks only (set body.recurrence)");
        }
        const [row] = await db<Omit<TaskRow, "tags" | "series">[]>`
          insert into tasks (id, user_id, title, description, priority, due_at, time_zone, recurrence,
                             series_id, occurrence_index)
          values (${id}, ${actor.userId}, ${title}, ${input.description ?? ""},
                  ${priorityRank(input.priority ?? "none")}, ${dueAt}, ${timeZone}, ${rule},
                  ${series?.seriesId ?? null}, ${series?.occurrenceIndex ?? null})
          returning ${db.unsafe(ROW_COLUMNS)}`;
        let tags: string[] = [];
        if (names.length) {
          const stored = await tagNewTask(db, actor.userId, id, names);
          if (stored) tags = sortTagNames(stored);
          else {
            await setTaskTags(db, actor.userId, id, names);
            tags = (await loadTask(db, actor.userId, id)).tags;
          }
        }
        // Recurring tasks read their series back (one more round trip, off the hot path).
        const task = series
          ? await loadTask(db, actor.userId, id)
          : toTask({ ...(row as Omit<TaskRow, "tags" | "series">), tags, series: null });
        await announce(db, actor, "task.created", task);
        return task;
      };
      return outer ? run(outer) : sql.begin(run);
    },

    /** `scope`: "series" (this and future occurrences, the default) or "occurrence" (this one). */
    async update(
      actor: Actor,
      id: string,
      patch: TaskPatch,
      ifMatch: IfMatch,
      scope: SeriesScope = "series",
    ): Promise<Task> {
      return sql.begin(async (tx) => {
        const before = await loadTask(tx, actor.userId, id, true);
        checkVersion(before, ifMatch);
        const set: Record<string, unknown> = {};
        if (patch.title !== undefined) set.title = cleanTitle(patch.title);
        if (patch.description !== undefined) set.description = patch.description;
        if (patch.priority !== undefined) set.priority = priorityRank(patch.priority);
        if (patch.dueAt !== undefined) set.due_at = parseInstant(patch.dueAt, "body.dueAt");
        if (patch.timeZone !== undefined) set.time_zone = canonicalTimeZone(patch.timeZone, "body.timeZone");
        // The rule as it will run, against the series' (possibly new) start and zone.
        const moved = scope === "series" && (patch.dueAt !== undefined || patch.timeZone !== undefined);
        const rule = patch.recurrence !== undefined ? patch.recurrence : moved ? before.recurrence : null;
        if (rule !== null) {
          const timeZone = (set.time_zone as string | undefined) ?? before.timeZone;
          const due = patch.dueAt !== undefined ? (set.due_at as Date | null) : before.dueAt;
          set.recurrence = normalizeRecurrence(rule, { timeZone, anchor: due ? new Date(due) : null });
        } else if (patch.recurrence === null) set.recurrence = null;
        if (patch.tags !== undefined) await setTaskTags(tx, actor.userId, id, normalizeTagNames(patch.tags));
        if (Object.keys(set).length) await tx`update tasks set ${tx(set)} where id = ${id}`;
        await applySeriesChanges(tx, actor, before, patch, scope);
        const after = await loadTask(tx, actor.userId, id);
        if (changedFields(before, after).length === 0) return before; // nothing changed: no new version, no event
        await tx`update tasks set version = version + 1, updated_at = now() where id = ${id}`;
        const task = await loadTask(tx, actor.userId, id);
        await announce(tx, actor, "task.updated", task, before);
        // Relative reminders are the due date minus a span (calendar days in the task's zone).
        if (before.dueAt !== task.dueAt || before.timeZone !== task.timeZone) {
          await followTask(tx, actor, id, "due");
        }
        return task;
      });
    },

    async setStatus(
      actor: Actor,
      id: string,
      status: "open" | "completed",
      ifMatch: IfMatch,
      outer?: TransactionSql,
    ): Promise<Task> {
      const run = async (tx: TransactionSql) => {
        const before = await loadTask(tx, actor.userId, id, true);
        checkVersion(before, ifMatch);
        if (before.status === status) return before; // completing a completed task changes nothing
        await tx`
          update tasks set status = ${status}, completed_at = ${status === "completed" ? tx`now()` : null},
                           version = version + 1, updated_at = now()
          where id = ${id}`;
        const task = await loadTask(tx, actor.userId, id);
        await announce(tx, actor, status === "completed" ? "task.completed" : "task.reopened", task, before);
        await followTask(tx, actor, id, "status");
        return task;
      };
      return outer ? run(outer) : sql.begin(run);
    },

    async remove(actor: Actor, id: string, ifMatch: IfMatch): Promise<void> {
      await sql.begin(async (tx) => {
        const before = await loadTask(tx, actor.userId, id, true);
        checkVersion(before, ifMatch);
        await followTask(tx, actor, id, "deleted");
        await tx`delete from tasks where id = ${id}`;
        // The deleted event carries the last state, one version on, so versions only grow.
        const last = { ...before, version: before.version + 1, updatedAt: new Date().toISOString() };
        await enqueueTaskChange(tx, {
          type: "task.deleted",
          task: last,
          userId: actor.userId,
          changedFields: [],
          trace: actor.trace,
        });
      });
    },
  };
}

export type TasksService = ReturnType<typeof tasksService>;
