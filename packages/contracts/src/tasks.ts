import { type Static, Type } from "@sinclair/typebox";
import { Id, Instant, Int32, Nullable, Text, TimeZone } from "./common.ts";

export { TimeZone };

export const PRIORITIES = ["none", "low", "medium", "high", "urgent"] as const;
export const Priority = Type.Union(
  [
    Type.Literal("none"),
    Type.Literal("low"),
    Type.Literal("medium"),
    Type.Literal("high"),
    Type.Literal("urgent"),
  ],
  { description: "none < low < medium < high < urgent" },
);
export type Priority = Static<typeof Priority>;

export const TaskStatus = Type.Union([Type.Literal("open"), Type.Literal("completed")]);
export type TaskStatus = Static<typeof TaskStatus>;

export const TagName = Text({
  minLength: 1,
  maxLength: 50,
  notBlank: true,
  description: "Tag name, unique per user ignoring case; trimmed.",
});
export const Rrule = Text({
  minLength: 1,
  maxLength: 500,
  notBlank: true,
  description:
    "An RFC 5545 RRULE such as FREQ=WEEKLY;BYDAY=MO,TH (an RRULE: prefix is accepted), or a phrase such as " +
    '"every weekday at 9am"; the normalized RRULE is echoed back. A recurring task needs a due date (the first occurrence).',
});
export const RecurrenceMode = Type.Union([Type.Literal("due"), Type.Literal("completion")], {
  description:
    'Where the next occurrence is counted from: "due" (default) the current due date; "completion" the day it was completed (Todoist\'s "every!").',
});
export type RecurrenceMode = Static<typeof RecurrenceMode>;
const skipMissed = Type.Boolean({
  description:
    "Completing a long-overdue occurrence yields the next future one instead of the first missed one.",
});

/** A recurring task's place in its series. */
export const TaskSeries = Type.Object(
  {
    id: Id,
    occurrenceIndex: Int32({ minimum: 0, description: "0 for the first task of the series." }),
    anchor: Instant,
    mode: RecurrenceMode,
    skipMissed: Type.Boolean(),
    stoppedAt: Nullable(Instant),
  },
  { $id: "TaskSeries" },
);
export type TaskSeries = Static<typeof TaskSeries>;

const title = Text({
  minLength: 1,
  maxLength: 500,
  notBlank: true,
  description: "Trimmed; must not be blank.",
});
const description = Text({ maxLength: 10_000, description: "Markdown." });
const tags = Type.Array(TagName, { maxItems: 50, description: "Tag names; unknown ones are created." });

/** What a create may set and a patch may change, besides the title (required on create). */
const editable = {
  description: Type.Optional(description),
  priority: Type.Optional(Priority),
  tags: Type.Optional(tags),
  dueAt: Type.Optional(Nullable(Instant)),
  timeZone: Type.Optional(TimeZone),
  recurrence: Type.Optional(Nullable(Rrule)),
  recurrenceMode: Type.Optional(RecurrenceMode),
  skipMissed: Type.Optional(skipMissed),
};

export const TaskCreate = Type.Object(
  { title, ...editable },
  { additionalProperties: false, $id: "TaskCreate" },
);
export type TaskCreate = Static<typeof TaskCreate>;

export const TaskPatch = Type.Object(
  { title: Type.Optional(title), ...editable },
  { additionalProperties: false, minProperties: 1, $id: "TaskPatch" },
);
export type TaskPatch = Static<typeof TaskPatch>;

export const Task = Type.Object(
  {
    id: Id,
    title: Type.String(),
    description: Type.String(),
    status: TaskStatus,
    priority: Priority,
    tags: Type.Array(Type.String()),
    dueAt: Nullable(Instant),
    timeZone: Type.String(),
    completedAt: Nullable(Instant),
    recurrence: Nullable(Type.String()),
    // Optional: events published before it existed carry tasks without it.
    recurrenceDescription: Type.Optional(
      Nullable(
        Type.String({ description: 'What `recurrence` means, in English: "every week on Monday at 9:00".' }),
      ),
    ),
    series: Nullable(TaskSeries),
    createdAt: Instant,
    updatedAt: Instant,
    version: Type.Integer({ minimum: 1 }),
  },
  { $id: "Task" },
);
export type Task = Static<typeof Task>;

export const TASK_SORTS = ["due", "priority", "created", "updated", "title", "relevance"] as const;

const flag = Type.Union([Type.Literal("true"), Type.Literal("false")]);
export const TaskListQuery = Type.Object(
  {
    q: Type.Optional(
      Text({ minLength: 1, maxLength: 200, description: "Full-text search, prefix matching." }),
    ),
    status: Type.Optional(TaskStatus),
    priorityAtLeast: Type.Optional(Priority),
    tags: Type.Optional(Text({ maxLength: 1000, description: "Comma-separated tag names." })),
    tagMatch: Type.Optional(Type.Union([Type.Literal("any"), Type.Literal("all")], { default: "any" })),
    dueBefore: Type.Optional(Instant),
    dueAfter: Type.Optional(Instant),
    overdue: Type.Optional(flag),
    dueToday: Type.Optional(flag),
    hasReminders: Type.Optional(flag),
    recurring: Type.Optional(flag),
    sort: Type.Optional(
      Type.Union([
        Type.Literal("due"),
        Type.Literal("priority"),
        Type.Literal("created"),
        Type.Literal("updated"),
        Type.Literal("title"),
        Type.Literal("relevance"),
      ]),
    ),
    order: Type.Optional(Type.Union([Type.Literal("asc"), Type.Literal("desc")])),
    cursor: Type.Optional(
      Type.String({ pattern: "^[A-Za-z0-9_-]{1,1000}$", description: "nextCursor of the previous page." }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  },
  { additionalProperties: false, $id: "TaskListQuery" },
);
export type TaskListQuery = Static<typeof TaskListQuery>;

export const TaskPage = Type.Object(
  { items: Type.Array(Task), nextCursor: Nullable(Type.String()) },
  { $id: "TaskPage" },
);
