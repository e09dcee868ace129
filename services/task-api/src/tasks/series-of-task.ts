import type { RecurrenceMode, Task, TaskPatch } from "@nudge/contracts";
import { invalid } from "@nudge/http";
import type { TransactionSql } from "postgres";
import { enqueueSeriesEvent } from "../outbox/enqueue.ts";
import type { Actor } from "./actor.ts";

/** A change to a recurring task applies to "this and future" occurrences, or to this one only. */
export type SeriesScope = "series" | "occurrence";

const NEEDS_DUE = "a recurring task needs a due date: its first occurrence";
const SERIES_FIELDS = ["recurrence", "recurrenceMode", "skipMissed"] as const;

/** Where a task created by the series itself goes: its series and occurrence index. */
export interface SeriesPlacement {
  seriesId: string;
  occurrenceIndex: number;
}

export interface SeriesSeed {
  rule: string;
  dueAt: Date | null;
  timeZone: string;
  title: string;
  description: string;
  priority: number;
  tags: string[];
  mode?: RecurrenceMode;
  skipMissed?: boolean;
}

/** A new series whose first occurrence (index 0) is the task being created or given a rule. */
export async function startSeries(
  tx: TransactionSql,
  userId: string,
  seed: SeriesSeed,
): Promise<SeriesPlacement> {
  if (!seed.dueAt) throw invalid("body.dueAt", NEEDS_DUE);
  const id = Bun.randomUUIDv7();
  await tx`
    insert into series (id, user_id, rule, anchor, time_zone, mode, skip_missed, title, description, priority, tags)
    values (${id}, ${userId}, ${seed.rule}, ${seed.dueAt}, ${seed.timeZone}, ${seed.mode ?? "due"},
            ${seed.skipMissed ?? false}, ${seed.title}, ${seed.description}, ${seed.priority}, ${seed.tags})`;
  return { seriesId: id, occurrenceIndex: 0 };
}

/** The user stops the series: no next occurrence; `task.recurring.ended` says so once. */
async function stopSeries(tx: TransactionSql, actor: Actor, task: Task, seriesId: string) {
  const [stopped] = await tx`
    update series set stopped_at = now(), updated_at = now()
    where id = ${seriesId} and stopped_at is null and ended_at is null returning id`;
  if (!stopped) return;
  await enqueueSeriesEvent(
    tx,
    "task.recurring.ended",
    {
      schemaVersion: 1,
      seriesId,
      userId: actor.userId,
      previousTaskId: task.id,
      occurrenceIndex: task.series?.occurrenceIndex ?? 0,
      reason: "stopped",
    },
    task.id,
    actor.trace,
  );
}

interface CurrentTask {
  title: string;
  description: string;
  priority: number;
  due_at: Date | null;
  due_changed: boolean;
  time_zone: string;
  recurrence: string | null;
  tags: string[];
}

/**
 * Keep a task's series in step with a PATCH that has just been applied to the task row (the
 * task is locked). With scope "series" the series follows the task: its rule, mode, template
 * and — when the due date moved — its anchor (COUNT then counts from there). With scope
 * "occurrence" only the task changed; series-level fields are refused.
 */
export async function applySeriesChanges(
  tx: TransactionSql,
  actor: Actor,
  before: Task,
  patch: TaskPatch,
  scope: SeriesScope,
): Promise<void> {
  const live = before.series && !before.series.stoppedAt ? before.series : null;
  const seriesField = SERIES_FIELDS.find((field) => patch[field] !== undefined);
  if (scope === "occurrence") {
    if (seriesField) throw invalid(`body.${seriesField}`, "belongs to the series: send it with scope=series");
    if (live && patch.dueAt === null) throw invalid("body.dueAt", NEEDS_DUE);
    return;
  }
  if (patch.recurrence === null) {
    if (live) await stopSeries(tx, actor, before, live.id);
    return;
  }
  const [task] = await tx<CurrentTask[]>`
    select t.title, t.description, t.priority, t.due_at, t.due_at is distinct from ${before.dueAt}::timestamptz as due_changed,
           t.time_zone, t.recurrence,
           coalesce((select array_agg(g.name order by g.name) from task_tags tt join tags g on g.id = tt.tag_id
                     where tt.task_id = t.id), '{}') as tags
    from tasks t where t.id = ${before.id}`;
  if (!task) return;
  if (!live) {
    if (!task.recurrence) {
      if (seriesField)
        throw invalid(`body.${seriesField}`, "applies to recurring tasks only (set body.recurrence)");
      return;
    }
    // A new rule (or a rule that waited for its due date) starts a series at this task.
    if (patch.recurrence === undefined && !task.due_at) return;
    const placement = await startSeries(tx, actor.userId, {
      rule: task.recurrence,
      dueAt: task.due_at,
      timeZone: task.time_zone,
      title: task.title,
      description: task.description,
      priority: task.priority,
      tags: task.tags,
      mode: patch.recurrenceMode,
      skipMissed: patch.skipMissed,
    });
    await tx`update tasks set series_id = ${placement.seriesId}, occurrence_index = 0 where id = ${before.id}`;
    return;
  }
  if (!task.due_at) throw invalid("body.dueAt", `${NEEDS_DUE} (to stop the series, set recurrence to null)`);
  await tx`
    update series set
      rule = ${task.recurrence ?? before.recurrence ?? ""},
      mode = coalesce(${patch.recurrenceMode ?? null}, mode),
      skip_missed = coalesce(${patch.skipMissed ?? null}::boolean, skip_missed),
      title = ${task.title}, description = ${task.description}, priority = ${task.priority}, tags = ${task.tags},
      time_zone = ${task.time_zone},
      anchor = case when ${task.due_changed} then ${task.due_at} else anchor end,
      updated_at = now()
    where id = ${live.id}`;
}
