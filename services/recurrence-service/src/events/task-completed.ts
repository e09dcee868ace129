import type { DaprWorkflowClient } from "@dapr/dapr";
import type { TaskEvent } from "@nudge/contracts";
import { startWorkflowOnce } from "@nudge/dapr";
import type { CompletedOccurrence } from "../activities/index.ts";

export type Reaction = "started" | "already-started" | "not-recurring";

/** One workflow per completed version of a task: `next-<task id>-v<version>`. */
export const instanceIdFor = (taskId: string, version: number) => `next-${taskId}-v${version}`;

/**
 * A task was completed: if it belongs to a live series and has a due date, start nextOccurrence
 * under an id derived from the task and its version. A redelivered event finds the instance and
 * does nothing.
 */
export async function onTaskCompleted(
  client: DaprWorkflowClient,
  workflowName: string,
  event: TaskEvent,
): Promise<Reaction> {
  const { task } = event.data;
  if (!task.series || task.series.stoppedAt || !task.dueAt || !task.completedAt) return "not-recurring";
  const input: CompletedOccurrence = {
    taskId: task.id,
    userId: task.userId,
    seriesId: task.series.id,
    occurrenceIndex: task.series.occurrenceIndex,
    dueAt: task.dueAt,
    completedAt: task.completedAt,
  };
  return startWorkflowOnce(client, workflowName, input, instanceIdFor(task.id, event.data.version));
}
