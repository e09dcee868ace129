import type {
  InternalOccurrenceCreate,
  OccurrencePreview,
  RecurrenceMode,
  RecurrencePreview,
  RecurrencePreviewQuery,
  SeriesView,
  Task,
} from "@nudge/contracts";
import type { Sql } from "@nudge/db";
import { conflict, invalid, notFound, type TraceContext } from "@nudge/http";
import {
  occurrencesAfter,
  parseRecurrence,
  RecurrenceBudgetExceeded,
  seriesFromStart,
} from "@nudge/recurrence";
import type { TransactionSql } from "postgres";
import { enqueueSeriesEvent } from "../outbox/enqueue.ts";
import { priorityName } from "../tasks/model.ts";
import { followTask } from "../tasks/reminders/schedule.ts";
import { loadTask, tasksService } from "../tasks/service.ts";
import { parseInstant } from "../tasks/validate.ts";
import { canonicalTimeZone } from "../users/time-zones.ts";

interface SeriesRow {
  id: string;
  user_id: string;
  rule: string;
  anchor: Date;
  time_zone: string;
  mode: RecurrenceMode;
  skip_missed: boolean;
  title: string;
  description: string;
  priority: number;
  tags: string[];
  stopped_at: Date | null;
  ended_at: Date | null;
}

const toView = (row: SeriesRow): SeriesView => ({
  id: row.id,
  userId: row.user_id,
  rule: row.rule,
  anchor: row.anchor.toISOString(),
  timeZone: row.time_zone,
  mode: row.mode,
  skipMissed: row.skip_missed,
  stoppedAt: row.stopped_at?.toISOString() ?? null,
  endedAt: row.ended_at?.toISOString() ?? null,
});

async function loadSeries(db: Sql | TransactionSql, id: string, lock = false): Promise<SeriesRow> {
  const [row] = lock
    ? await db<SeriesRow[]>`select * from series where id = ${id} for update`
    : await db<SeriesRow[]>`select * from series where id = ${id}`;
  if (!row) throw notFound(`series ${id}`);
  return row;
}

/** A rule that outgrows the engine's budget is the client's problem to fix: a 422, never a hang. */
function withinBudget<T>(field: string, evaluate: () => T): T {
  try {
    return evaluate();
  } catch (error) {
    if (error instanceof RecurrenceBudgetExceeded)
      throw invalid(field, `${error.message}; simplify the rule`);
    throw error;
  }
}

/** The start of the current minute: previews without `start` line up with what users type. */
const thisMinute = () => new Date(Math.floor(Date.now() / 60_000) * 60_000);

export function seriesService(sql: Sql) {
  const tasks = tasksService(sql);
  return {
    view: async (id: string) => toView(await loadSeries(sql, id)),

    /**
     * A rule's occurrences from `start` (the first of them; default: after now), in `tz`
     * (default: the user's zone), with the normalized rule and its description.
     */
    preview(query: RecurrencePreviewQuery, userTimeZone: string): RecurrencePreview {
      const timeZone = query.tz ? canonicalTimeZone(query.tz, "query.tz") : userTimeZone;
      const start = query.start ? (parseInstant(query.start, "query.start") as Date) : thisMinute();
      const parsed = parseRecurrence(query.rule, { timeZone, anchor: start });
      if (!parsed.ok) throw invalid("query.rule", `${parsed.message}; ${parsed.hint}`);
      const series = { rule: parsed.rule, anchor: start, timeZone };
      const count = query.count ?? 10;
      // A given start is DTSTART, the series' first occurrence (as for a task due then); the
      // default "now" only anchors the rule, so the list is what comes after it.
      const occurrences = withinBudget("query.rule", () =>
        query.start
          ? seriesFromStart(series, count)
          : occurrencesAfter(series, { at: start, index: -1 }, count),
      );
      return {
        rule: parsed.rule,
        description: parsed.description,
        from: parsed.from,
        timeZone,
        start: start.toISOString(),
        occurrences: occurrences.map((o) => o.at.toISOString()),
      };
    },

    /** The series' next due dates after this task's (what completing it would lead to). */
    async occurrences(userId: string, taskId: string, count: number): Promise<OccurrencePreview> {
      const task = await tasks.get(userId, taskId);
      if (!task.series || !task.dueAt) throw conflict(`task ${taskId} is not recurring`);
      const series = await loadSeries(sql, task.series.id);
      const next =
        series.stopped_at || series.ended_at
          ? []
          : withinBudget("path.id", () =>
              occurrencesAfter(
                { rule: series.rule, anchor: series.anchor, timeZone: series.time_zone },
                { at: new Date(task.dueAt as string), index: task.series?.occurrenceIndex ?? 0 },
                count,
              ),
            );
      return {
        taskId,
        seriesId: series.id,
        rule: series.rule,
        timeZone: series.time_zone,
        occurrences: next.map((o) => ({ occurrenceIndex: o.index, dueAt: o.at.toISOString() })),
      };
    },

    /**
     * Occurrence `occurrenceIndex` of the series, created at most once (the series row lock
     * serializes callers; the unique (series_id, occurrence_index) index is the backstop). It is
     * built from the series' template, with the previous task's reminders moved by as much as
     * the due date moved, and announced as `task.recurring.next_created` in the same commit.
     */
    async createOccurrence(
      seriesId: string,
      input: InternalOccurrenceCreate,
      trace?: TraceContext,
    ): Promise<{ task: Task; created: boolean }> {
      return sql.begin(async (tx) => {
        const series = await loadSeries(tx, seriesId, true);
        const [existing] = await tx<{ id: string }[]>`
          select id from tasks where series_id = ${seriesId} and occurrence_index = ${input.occurrenceIndex}`;
        if (existing) return { task: await loadTask(tx, series.user_id, existing.id), created: false };
        if (series.stopped_at) throw conflict(`series ${seriesId} was stopped`);
        if (series.ended_at) throw conflict(`series ${seriesId} has ended`);
        const dueAt = parseInstant(input.dueAt, "body.dueAt") as Date;
        const actor = { userId: series.user_id, trace };
        const created = await tasks.create(
          actor,
          {
            title: series.title,
            description: series.description,
            priority: priorityName(series.priority),
            tags: series.tags,
            dueAt: dueAt.toISOString(),
            timeZone: series.time_zone,
            recurrence: series.rule,
          },
          tx,
          { seriesId, occurrenceIndex: input.occurrenceIndex },
        );
        await copyReminders(tx, actor, input.previousTaskId, seriesId, created.id, dueAt);
        await enqueueSeriesEvent(
          tx,
          "task.recurring.next_created",
          {
            schemaVersion: 1,
            seriesId,
            userId: series.user_id,
            previousTaskId: input.previousTaskId,
            occurrenceIndex: input.occurrenceIndex,
            task: created,
          },
          created.id,
          trace,
        );
        return { task: created, created: true };
      });
    },

    /** COUNT or UNTIL is reached: mark the series ended and say so once. */
    async end(seriesId: string, lastTaskId: string, trace?: TraceContext): Promise<SeriesView> {
      return sql.begin(async (tx) => {
        const series = await loadSeries(tx, seriesId, true);
        if (series.ended_at || series.stopped_at) return toView(series);
        const [last] = await tx<{ occurrence_index: number }[]>`
          select occurrence_index from tasks where id = ${lastTaskId} and series_id = ${seriesId}`;
        const [ended] = await tx<SeriesRow[]>`
          update series set ended_at = now(), updated_at = now() where id = ${seriesId} returning *`;
        await enqueueSeriesEvent(
          tx,
          "task.recurring.ended",
          {
            schemaVersion: 1,
            seriesId,
            userId: series.user_id,
            previousTaskId: lastTaskId,
            occurrenceIndex: last?.occurrence_index ?? 0,
            reason: "exhausted",
          },
          lastTaskId,
          trace,
        );
        return toView(ended as SeriesRow);
      });
    },
  };
}

/**
 * The previous occurrence's reminders, for the new one: relative reminders as they are (they
 * follow the new due date), absolute ones moved by as much as the due date moved. Snoozes stay
 * behind. They are armed like reminders of a reopened task (those already past stay unarmed).
 */
async function copyReminders(
  tx: TransactionSql,
  actor: { userId: string; trace?: TraceContext },
  previousTaskId: string,
  seriesId: string,
  taskId: string,
  dueAt: Date,
) {
  const [previous] = await tx<{ due_at: Date | null }[]>`
    select due_at from tasks where id = ${previousTaskId} and series_id = ${seriesId}`;
  if (!previous?.due_at) return;
  const shiftMs = dueAt.getTime() - previous.due_at.getTime();
  const reminders = await tx<{ at: Date | null; before: string | null }[]>`
    select at, before::text as before from reminders where task_id = ${previousTaskId} order by created_at, id`;
  if (!reminders.length) return;
  await tx`
    insert into reminders (id, task_id, user_id, at, before)
    select v.id, ${taskId}, ${actor.userId}, v.at, v.before::interval
    from unnest(${reminders.map(() => Bun.randomUUIDv7())}::uuid[],
                ${reminders.map((r) => (r.at ? new Date(r.at.getTime() + shiftMs).toISOString() : null))}::timestamptz[],
                ${reminders.map((r) => r.before)}::text[]) with ordinality as v(id, at, before, n)
    order by v.n`;
  await followTask(tx, actor, taskId, "status");
}
