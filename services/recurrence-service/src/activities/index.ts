import type { InternalOccurrenceCreate, SeriesView, Task } from "@nudge/contracts";
import { DaprRequestError, daprFetch, daprRequest, type Sidecar } from "@nudge/dapr";
import { nextDue } from "@nudge/recurrence";
import type { Logger } from "@nudge/service";

export interface ActivityDeps {
  sidecar: Sidecar;
  taskApiAppId: string;
  log: Logger;
}

/** What the completed task's event says about the occurrence that was completed. */
export interface CompletedOccurrence {
  taskId: string;
  userId: string;
  seriesId: string;
  occurrenceIndex: number;
  dueAt: string;
  completedAt: string;
}

export type CreatedOccurrence =
  | { outcome: "created" | "existed"; taskId: string; dueAt: string }
  | { outcome: "refused"; reason: string };

/** Activities are plain functions over ids and instants; each is safe to run again. */
export function createActivities(deps: ActivityDeps) {
  const internal = (path: string) => `/v1.0/invoke/${deps.taskApiAppId}/method/internal${path}`;
  const post = (path: string, body: unknown) =>
    daprRequest(deps.sidecar, internal(path), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  return {
    /** The series as task-api has it now (null when it no longer exists). */
    async loadSeries(_ctx: unknown, input: { seriesId: string }): Promise<SeriesView | null> {
      const response = await daprRequest(deps.sidecar, internal(`/series/${input.seriesId}`));
      if (response.status === 404) return null;
      if (!response.ok) throw new DaprRequestError("load series", response.status, await response.text());
      return (await response.json()) as SeriesView;
    },

    /** The pure computation, as an activity so its answer is recorded in the workflow history. */
    computeNextDue(
      _ctx: unknown,
      input: { series: SeriesView; completed: CompletedOccurrence; now: string },
    ): { dueAt: string | null } {
      const { series, completed } = input;
      const next = nextDue(
        { rule: series.rule, anchor: new Date(series.anchor), timeZone: series.timeZone },
        new Date(completed.dueAt),
        new Date(completed.completedAt),
        new Date(input.now),
        { mode: series.mode, skipMissed: series.skipMissed },
      );
      return { dueAt: next?.toISOString() ?? null };
    },

    /** Ask task-api for occurrence `occurrenceIndex`; it creates it at most once. */
    async createNextOccurrence(
      _ctx: unknown,
      input: { seriesId: string } & InternalOccurrenceCreate,
    ): Promise<CreatedOccurrence> {
      const { seriesId, ...body } = input;
      const response = await post(`/series/${seriesId}/occurrences`, body);
      // Stopped or ended meanwhile: there is nothing to create, and retrying cannot change that.
      if (response.status === 409) {
        return {
          outcome: "refused",
          reason: ((await response.json()) as { detail?: string }).detail ?? "conflict",
        };
      }
      if (!response.ok)
        throw new DaprRequestError("create next occurrence", response.status, await response.text());
      const task = (await response.json()) as Task;
      const outcome = response.status === 201 ? "created" : "existed";
      deps.log.info("next occurrence", {
        seriesId,
        occurrenceIndex: body.occurrenceIndex,
        taskId: task.id,
        outcome,
      });
      return { outcome, taskId: task.id, dueAt: task.dueAt ?? body.dueAt };
    },

    /** COUNT or UNTIL reached: task-api marks the series ended and announces it once. */
    async endSeries(_ctx: unknown, input: { seriesId: string; lastTaskId: string }): Promise<void> {
      await daprFetch(deps.sidecar, "end series", internal(`/series/${input.seriesId}/end`), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ lastTaskId: input.lastTaskId }),
      });
      deps.log.info("series ended", input);
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
