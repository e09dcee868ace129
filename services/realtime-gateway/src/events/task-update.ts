import { type LiveMessage, TaskUpdate } from "@nudge/contracts";
import { Value } from "@sinclair/typebox/value";
// TypeBox checks the uuid and date-time formats only once Elysia has registered them.
import "elysia";

/**
 * A task-updates CloudEvent as clients receive it, with its owner; undefined when it breaks the
 * contract. The message id is `data.eventId` (schemaVersion 2): the id of the same change's
 * task-events event, which is what audit-service's history is keyed by, so a client resumes from
 * it. A version-1 event has none; its own id is used, and a resume from it replays nothing older.
 */
export function liveMessageOf(body: unknown): { userId: string; message: LiveMessage } | undefined {
  if (!Value.Check(TaskUpdate, body)) return undefined;
  const { data } = body;
  return {
    userId: data.userId,
    message: {
      id: data.eventId ?? body.id,
      type: "task.changed",
      data: {
        taskId: data.taskId,
        change: data.change,
        version: data.version,
        title: data.title,
        status: data.status,
        priority: data.priority,
        dueAt: data.dueAt,
        updatedAt: data.updatedAt,
      },
    },
  };
}
