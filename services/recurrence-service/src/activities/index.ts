import type { InternalOccurrenceCreate, SeriesView, Task } from "@nudge/contracts";
import { DaprRequestError, daprFetch, daprRequest, type Sidecar } from "@nudge/dapr";
import { nextDue, RecurrenceBudgetExceeded } from "@nudge/recurrence";
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

export type NextOccurrencePlan =
  | { action: "create"; dueAt: string }
  | { action: "end" }
  | { action: "skip"; reason: string };

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
    /**
     * What comes after the completed occurrence: the series as task-api has it now, and the
     * next due instant computed from it (the pure `nextDue`). One activity for both, so its
     * answer — including the clock-dependent skip-missed choice — is recorded once in the
     * workflow's history.
     */
    async planNextOccurrence(
      _ctx: unknown,
      input: { completed: CompletedOccurrence; now: string },
    ): Promise<NextOccurrencePlan> {
      const { completed } = input;
      const response = await daprRequest(deps.sidecar, internal(`/series/${completed.seriesId}`));
      if (response.status === 404) return { action: "skip", reason: "the series no longer exists" };
      if (!response.ok) throw new DaprRequestError("load series", response.status, await response.text());
      const series = (await response.json()) as SeriesView;
      if (series.stoppedAt || series.endedAt)
        return { action: "skip", reason: "the series was stopped or has ended" };
      let next: ReturnType<typeof nextDue>;
      try {
        next = nextDue(
          { rule: series.rule, anchor: new Date(series.anchor), timeZone: series.timeZone },
          {
            dueAt: new Date(completed.dueAt),
            index: completed.occurrenceIndex,
            completedAt: new Date(completed.completedAt),
          },
          new Date(input.now),
          { mode: series.mode, skipMissed: series.skipMissed },
        );
      } catch (error) {
        // A stored rule the engine cannot evaluate within its budget (written before rules were
        // checked on write) will not get cheaper on a retry: the series has no next occurrence.
        if (!(error instanceof RecurrenceBudgetExceeded)) throw error;
        deps.log.warn("series rule exceeds the recurrence budget; ending the series", {
          seriesId: completed.seriesId,
          rule: series.rule,
        });
        next = null;
      }
      return next ? { action: "create", dueAt: next.at.toISOString() } : { action: "end" };
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
