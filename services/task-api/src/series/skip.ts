import type { Task } from "@nudge/contracts";
import type { Sql } from "@nudge/db";
import { conflict, invalid, preconditionFailed } from "@nudge/http";
import { nextDue, RecurrenceBudgetExceeded } from "@nudge/recurrence";
import { enqueueTaskChange } from "../outbox/enqueue.ts";
import type { Actor } from "../tasks/actor.ts";
import { followTask } from "../tasks/reminders/schedule.ts";
import { changedFields, loadTask } from "../tasks/service.ts";

interface SeriesRow {
  rule: string;
  anchor: Date;
  time_zone: string;
  mode: "due" | "completion";
  skip_missed: boolean;
  stopped_at: Date | null;
  ended_at: Date | null;
}

/**
 * Skip this occurrence (TickTick's "skip this recurrence"): the open task moves to the series'
 * next occurrence — its due date and occurrence index, computed as a completion would, with its
 * reminders moved by as much as the due date moved — without being completed. One
 * `task.updated` event (changed: dueAt, series) records it in the history. The task is the
 * series' one open occurrence before and after, so exactly one next task exists, as after a
 * completion; a completion later continues from the skipped-to index.
 */
export async function skipOccurrence(
  sql: Sql,
  actor: Actor,
  taskId: string,
  ifMatch: number | "*" | undefined,
): Promise<Task> {
  return sql.begin(async (tx) => {
    const before = await loadTask(tx, actor.userId, taskId, true);
    if (ifMatch !== undefined && ifMatch !== "*" && ifMatch !== before.version)
      throw preconditionFailed(before.version);
    if (!before.series || !before.dueAt) throw conflict(`task ${taskId} is not recurring`);
    if (before.status !== "open") throw conflict(`task ${taskId} is completed: reopen it to skip it`);
    const [series] = await tx<SeriesRow[]>`select * from series where id = ${before.series.id} for update`;
    if (!series || series.stopped_at || series.ended_at)
      throw conflict(`the series of task ${taskId} has ended`);
    const now = new Date();
    let next: ReturnType<typeof nextDue>;
    try {
      next = nextDue(
        { rule: series.rule, anchor: series.anchor, timeZone: series.time_zone },
        { dueAt: new Date(before.dueAt), index: before.series.occurrenceIndex, completedAt: now },
        now,
        { mode: series.mode, skipMissed: series.skip_missed },
      );
    } catch (error) {
      if (error instanceof RecurrenceBudgetExceeded)
        throw invalid("path.id", `${error.message}; edit the rule`);
      throw error;
    }
    if (!next)
      throw conflict(
        `task ${taskId} is the last occurrence of its series (COUNT or UNTIL): nothing to skip to`,
      );
    const [taken] = await tx`
      select id from tasks where series_id = ${before.series.id} and occurrence_index = ${next.index}`;
    if (taken) throw conflict(`occurrence ${next.index} of the series already exists`);
    const shiftMs = next.at.getTime() - Date.parse(before.dueAt);
    await tx`update reminders set at = at + ${`${shiftMs} milliseconds`}::interval where task_id = ${taskId} and at is not null`;
    await tx`
      update tasks set due_at = ${next.at}, occurrence_index = ${next.index}, version = version + 1, updated_at = now()
      where id = ${taskId}`;
    const task = await loadTask(tx, actor.userId, taskId);
    await enqueueTaskChange(tx, {
      type: "task.updated",
      task,
      userId: actor.userId,
      changedFields: changedFields(before, task),
      trace: actor.trace,
    });
    // Relative reminders follow the new due date; moved absolute ones are armed again if ahead.
    await followTask(tx, actor, taskId, "status");
    return task;
  });
}
