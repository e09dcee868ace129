import { PRIORITIES, type Priority, type Task, type TaskSeries } from "@nudge/contracts";
import { describeRecurrence } from "@nudge/recurrence";

/** A task row as selected by TASK_COLUMNS. */
export interface TaskRow {
  id: string;
  user_id: string;
  title: string;
  description: string;
  status: "open" | "completed";
  priority: number;
  tags: string[];
  due_at: Date | null;
  time_zone: string;
  completed_at: Date | null;
  recurrence: string | null;
  occurrence_index: number | null;
  /** json_build_object over the task's series row (timestamps as text). */
  series: {
    id: string;
    anchor: string;
    mode: TaskSeries["mode"];
    skip_missed: boolean;
    stopped_at: string | null;
  } | null;
  created_at: Date;
  updated_at: Date;
  version: number;
}

/** The task table's own columns, as `returning` lists them. */
export const ROW_COLUMNS = `id, user_id, title, description, status, priority, due_at, time_zone, completed_at,
  recurrence, occurrence_index, created_at, updated_at, version`;

/** The task's series, as one json column (null for a one-off task). */
export const SERIES_COLUMN = `(select json_build_object('id', s.id, 'anchor', s.anchor, 'mode', s.mode,
    'skip_missed', s.skip_missed, 'stopped_at', s.stopped_at) from series s where s.id = t.series_id) as series`;

/**
 * Columns every task read selects. Tags come sorted by their lower-cased code points (collation
 * "C"), which sortTagNames reproduces, so a task built in memory equals the same task read back.
 */
export const TASK_COLUMNS = `t.id, t.user_id, t.title, t.description, t.status, t.priority, t.due_at, t.time_zone,
  t.completed_at, t.recurrence, t.occurrence_index, t.created_at, t.updated_at, t.version, ${SERIES_COLUMN},
  coalesce((select array_agg(g.name order by lower(g.name) collate "C", g.name collate "C")
            from task_tags tt join tags g on g.id = tt.tag_id where tt.task_id = t.id), '{}') as tags`;

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
export const sortTagNames = (names: string[]) =>
  [...names].sort((a, b) => byCodePoint(a.toLowerCase(), b.toLowerCase()) || byCodePoint(a, b));

export const priorityRank = (priority: Priority): number => PRIORITIES.indexOf(priority);
export const priorityName = (rank: number): Priority => PRIORITIES[rank] ?? "none";

export function toTask(row: TaskRow): Task {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    status: row.status,
    priority: priorityName(row.priority),
    tags: row.tags,
    dueAt: row.due_at?.toISOString() ?? null,
    timeZone: row.time_zone,
    completedAt: row.completed_at?.toISOString() ?? null,
    recurrence: row.recurrence,
    recurrenceDescription: describeRecurrence(row.recurrence, row.time_zone),
    series: row.series
      ? {
          id: row.series.id,
          occurrenceIndex: row.occurrence_index ?? 0,
          anchor: new Date(row.series.anchor).toISOString(),
          mode: row.series.mode,
          skipMissed: row.series.skip_missed,
          stoppedAt: row.series.stopped_at ? new Date(row.series.stopped_at).toISOString() : null,
        }
      : null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    version: row.version,
  };
}

export const etagOf = (version: number) => `"${version}"`;

/** If-Match: `"3"`, `W/"3"` or `*`; undefined when the header is absent. */
export function ifMatchVersion(header: string | undefined): number | "*" | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value === "*") return "*";
  const match = /^(?:W\/)?"(\d{1,9})"$/.exec(value);
  return match ? Number(match[1]) : Number.NaN;
}
