import { type Static, Type } from "@sinclair/typebox";
import { Id, Instant, Nullable } from "./common.ts";

/** One changed field of a task: its value before and after the change (null when unknown/absent). */
export const FieldChange = Type.Object({
  field: Type.String(),
  before: Type.Unknown(),
  after: Type.Unknown(),
});
export type FieldChange = Static<typeof FieldChange>;

/** One event of audit-service's append-only history (`GET /tasks/{id}/history`, `GET /activity`). */
export const AuditEntry = Type.Object(
  {
    eventId: Type.String(),
    type: Type.String({
      description: "The CloudEvent type, e.g. task.updated or task.recurring.next_created.",
    }),
    taskId: Id,
    userId: Type.String(),
    actor: Type.String({ description: "Who made the change: the owner's user id, or the service that did." }),
    occurredAt: Instant,
    version: Nullable(Type.Integer({ minimum: 1 })),
    changes: Type.Array(FieldChange),
  },
  { $id: "AuditEntry" },
);
export type AuditEntry = Static<typeof AuditEntry>;

export const AuditPage = Type.Object(
  {
    items: Type.Array(AuditEntry),
    nextCursor: Nullable(Type.String({ description: "Pass as `cursor` for the next (older) page." })),
  },
  { $id: "AuditPage" },
);
export type AuditPage = Static<typeof AuditPage>;

const Cursor = Type.String({
  pattern: "^[A-Za-z0-9_-]{1,200}$",
  description: "nextCursor of the previous page.",
});

/** `GET /tasks/{id}/history`: newest first. */
export const HistoryQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false, $id: "HistoryQuery" },
);
export type HistoryQuery = Static<typeof HistoryQuery>;

/** `GET /activity`: the user's feed, newest first, optionally by type and time range. */
export const ActivityQuery = Type.Object(
  {
    type: Type.Optional(Type.String({ pattern: "^[a-z._]{1,60}$", description: "e.g. task.completed" })),
    from: Type.Optional(Instant),
    to: Type.Optional(Instant),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false, $id: "ActivityQuery" },
);
export type ActivityQuery = Static<typeof ActivityQuery>;

/**
 * What realtime-gateway pushes (WebSocket message, SSE `data:`): `id` is the task-events event
 * id, the key of audit-service's history, so a client resumes from the last one it saw.
 */
export const LiveMessage = Type.Object(
  {
    id: Type.String(),
    type: Type.Literal("task.changed"),
    data: Type.Object({
      taskId: Id,
      change: Type.String(),
      version: Type.Integer({ minimum: 1 }),
      title: Type.String(),
      status: Type.String(),
      priority: Type.String(),
      dueAt: Nullable(Instant),
      updatedAt: Instant,
    }),
  },
  { $id: "LiveMessage" },
);
export type LiveMessage = Static<typeof LiveMessage>;

/** One message parked on `dlq-events`, as operators list it. */
export const DeadLetter = Type.Object(
  {
    eventId: Type.String({ description: "The parked CloudEvent's id: what `nudge dlq replay` takes." }),
    topic: Type.String({ description: "The topic it was consumed from (Kafka header __topic)." }),
    type: Type.String(),
    reason: Type.String(),
    status: Type.Union([Type.Literal("parked"), Type.Literal("replayed")]),
    timesParked: Type.Integer({ minimum: 1 }),
    parkedAt: Instant,
    replayedAt: Nullable(Instant),
    event: Type.Unknown({ description: "The original CloudEvent, unchanged." }),
  },
  { $id: "DeadLetter" },
);
export type DeadLetter = Static<typeof DeadLetter>;
