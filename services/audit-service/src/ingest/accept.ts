import { SERIES_EVENT_TYPES, SeriesEvent, TASK_EVENT_TYPES, TaskEvent } from "@nudge/contracts";
import { Value } from "@sinclair/typebox/value";
// TypeBox checks the uuid and date-time formats only once Elysia has registered them.
import "elysia";

export type Accepted =
  | { kind: "task"; event: TaskEvent }
  | { kind: "series"; event: SeriesEvent }
  | { kind: "other" }
  | { kind: "invalid" };

const TASK_TYPES = new Set<string>(TASK_EVENT_TYPES);
const SERIES_TYPES = new Set<string>(SERIES_EVENT_TYPES);

/**
 * Sort what arrives on task-events. A task or series event that breaks its contract is invalid
 * (poison: parked on dlq-events); any other type is someone else's and ignored — types are
 * added, never changed. schemaVersion 1 task events (before `series` existed) are history too:
 * they read as version 2 with no series.
 */
export function accept(body: unknown): Accepted {
  const type = (body as { type?: unknown } | null)?.type;
  if (typeof type !== "string") return { kind: "invalid" };
  if (SERIES_TYPES.has(type))
    return Value.Check(SeriesEvent, body) ? { kind: "series", event: body } : { kind: "invalid" };
  if (!TASK_TYPES.has(type)) return { kind: "other" };
  if (Value.Check(TaskEvent, body)) return { kind: "task", event: body };
  const upgraded = fromVersion1(body as Record<string, unknown>);
  return upgraded && Value.Check(TaskEvent, upgraded)
    ? { kind: "task", event: upgraded }
    : { kind: "invalid" };
}

function fromVersion1(body: Record<string, unknown>): unknown {
  const data = body.data as { schemaVersion?: unknown; task?: Record<string, unknown> } | undefined;
  if (data?.schemaVersion !== 1 || typeof data.task !== "object" || data.task === null) return undefined;
  return { ...body, data: { ...data, schemaVersion: 2, task: { series: null, ...data.task } } };
}
