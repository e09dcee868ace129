import {
  type DigestContent,
  type DigestDue,
  type DigestRef,
  MAX_DIGEST_TASKS,
  type Priority,
} from "@nudge/contracts";
import type { Sql } from "@nudge/db";
import { addDays, instantAtLocalTime } from "@nudge/recurrence";
import type { LinkMinter } from "../links/mint.ts";
import { priorityName } from "../tasks/model.ts";
import { nextDigest } from "../users/digest-schedule.ts";

interface DigestUserRow {
  id: string;
  time_zone: string;
  email: string | null;
  digest_enabled: boolean;
  digest_time: string;
  digest_last_day: string | null;
}

interface TaskListRow {
  user_id: string;
  id: string;
  title: string;
  priority: number;
  due_at: Date;
  version: number;
  total_overdue: number;
  total_today: number;
}

const USER_COLUMNS = `id, time_zone, email, digest_enabled, to_char(digest_time, 'HH24:MI') as digest_time,
  to_char(digest_last_day, 'YYYY-MM-DD') as digest_last_day`;

/**
 * The digest's data side. notification-service owns the exactly-once record of each digest
 * (user + local day); task-api owns who wants one when, and what it lists. The protocol:
 * `due` reads, notification-service records what it read, then `claimed` moves each user's next
 * digest on — so a crash between the steps repeats a step, and repeats are harmless.
 */
export function digestService(sql: Sql, minter: LinkMinter) {
  return {
    /** Users whose digest is due by `before`, oldest first: one indexed range scan. */
    async due(before: Date, limit: number): Promise<DigestDue> {
      const rows = await sql<{ id: string; digest_next_at: Date; day: string }[]>`
        select id, digest_next_at, to_char(digest_next_day, 'YYYY-MM-DD') as day from users
        where digest_next_at is not null and digest_next_at <= ${before}
        order by digest_next_at, id limit ${limit}`;
      return {
        items: rows.map((row) => ({
          userId: row.id,
          day: row.day,
          at: row.digest_next_at.toISOString(),
        })),
      };
    },

    /**
     * The digest of (user, day) is recorded: the user's next one is the first later local day's.
     * A repeat (day not after the last claimed one) changes nothing.
     */
    async claimed(refs: DigestRef[]): Promise<number> {
      return sql.begin(async (tx) => {
        const rows = await tx.unsafe<DigestUserRow[]>(
          `select ${USER_COLUMNS} from users where id = any($1::text[]) order by id for update`,
          [refs.map((ref) => ref.userId)],
        );
        const byId = new Map(rows.map((row) => [row.id, row]));
        const now = new Date();
        const moves: Array<{ id: string; day: string; next: { day: string; at: string } | null }> = [];
        for (const { userId, day } of refs) {
          const row = byId.get(userId);
          if (!row || (row.digest_last_day !== null && row.digest_last_day >= day)) continue;
          const next = row.digest_enabled ? nextDigest(row.digest_time, row.time_zone, now, day) : null;
          moves.push({ id: userId, day, next: next && { day: next.day, at: next.at.toISOString() } });
          row.digest_last_day = day;
        }
        if (!moves.length) return 0;
        await tx`
          update users u set digest_last_day = m.day, digest_next_at = m.next_at, digest_next_day = m.next_day,
                             updated_at = now()
          from unnest(${moves.map((m) => m.id)}::text[], ${moves.map((m) => m.day)}::date[],
                      ${moves.map((m) => m.next?.at ?? null)}::timestamptz[],
                      ${moves.map((m) => m.next?.day ?? null)}::date[]) as m(id, day, next_at, next_day)
          where u.id = m.id`;
        return moves.length;
      });
    },

    /** What each digest lists: open tasks overdue at its instant or due later that local day. */
    async contents(refs: DigestRef[]): Promise<DigestContent[]> {
      const users = await sql.unsafe<DigestUserRow[]>(
        `select ${USER_COLUMNS} from users where id = any($1::text[])`,
        [refs.map((ref) => ref.userId)],
      );
      const byId = new Map(users.map((row) => [row.id, row]));
      const windows = refs.flatMap(({ userId, day }) => {
        const user = byId.get(userId);
        if (!user) return [];
        const at = instantAtLocalTime(day, user.digest_time, user.time_zone);
        const end = instantAtLocalTime(addDays(day, 1), "00:00", user.time_zone);
        return [{ userId, day, user, at, end }];
      });
      if (!windows.length) return [];
      // One query for every digest: the first tasks of each (open-by-due index) and the counts.
      const tasks = await sql<TaskListRow[]>`
        select w.user_id, t.id, t.title, t.priority, t.due_at, t.version, c.overdue as total_overdue, c.today as total_today
        from unnest(${windows.map((w) => w.userId)}::text[], ${windows.map((w) => w.at.toISOString())}::timestamptz[],
                    ${windows.map((w) => w.end.toISOString())}::timestamptz[]) as w(user_id, at, day_end)
        cross join lateral (
          select count(*) filter (where due_at < w.at)::int as overdue,
                 count(*) filter (where due_at >= w.at)::int as today
          from tasks where user_id = w.user_id and status = 'open' and coalesce(due_at, 'infinity'::timestamptz) < w.day_end
        ) c
        left join lateral (
          select id, title, priority, due_at, version from tasks
          where user_id = w.user_id and status = 'open' and coalesce(due_at, 'infinity'::timestamptz) < w.day_end
          order by coalesce(due_at, 'infinity'::timestamptz), id limit ${MAX_DIGEST_TASKS}
        ) t on true`;
      const listed = new Map<string, TaskListRow[]>();
      for (const row of tasks) listed.set(row.user_id, [...(listed.get(row.user_id) ?? []), row]);
      return windows.map(({ userId, day, user, at }) => {
        const rows = listed.get(userId) ?? [];
        return {
          userId,
          day,
          at: at.toISOString(),
          recipient: { email: user.email, timeZone: user.time_zone, digestEnabled: user.digest_enabled },
          tasks: rows
            .filter((row) => row.id !== null)
            .map((row) => ({
              id: row.id,
              title: row.title,
              priority: priorityName(row.priority) as Priority,
              dueAt: row.due_at.toISOString(),
              overdue: row.due_at < at,
              links: minter.forDigestTask(
                userId,
                { id: row.id, version: row.version, dueAt: row.due_at.toISOString() },
                at,
              ),
            })),
          counts: { overdue: rows[0]?.total_overdue ?? 0, dueToday: rows[0]?.total_today ?? 0 },
          links: minter.forDigest(userId, at),
        };
      });
    },
  };
}
