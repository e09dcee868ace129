import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect, type Sql } from "@nudge/db";
import { testStack } from "@nudge/testing";
import { migrations as taskApiMigrations } from "../../services/task-api/src/migrate.ts";
import { freshRows } from "../../services/task-api/src/outbox/store.ts";

/**
 * A burst of writes leaves a backlog the relay must work through batch by batch. What one batch
 * costs must not grow with the backlog — else the relay slows down exactly when it is behind.
 * Real PostgreSQL, a freshly migrated schema with no relay running, statistics as a new
 * database has them (none), which is when PostgreSQL planned the per-row hold-back check as a
 * scan of every pending row: 4 million rows read for one batch of a 20 000-row backlog.
 */
const SCHEMA = "outbox_backlog";
const BACKLOG = 20_000;
const BATCH = 200;
let sql: Sql;

beforeAll(async () => {
  const stack = await testStack();
  await taskApiMigrations.apply(stack.databaseUrl, SCHEMA);
  sql = connect(stack.databaseUrl, { schema: SCHEMA, max: 2, applicationName: "outbox-backlog-test" });
  // Two rows per task, as a created task has (task-events, task-updates), in commit order.
  await sql`
    insert into outbox (id, topic, partition_key, event)
    select gen_random_uuid(), case when i % 2 = 0 then 'task-events' else 'task-updates' end,
           'task-' || (i / 2), '{"specversion":"1.0"}'::jsonb
    from generate_series(0, ${BACKLOG - 1}) as i`;
  // Every 50th task's first row is waiting for a retry: its second row must wait behind it.
  await sql`
    update outbox set attempts = 1, next_attempt_at = now() + interval '1 hour'
    where partition_key in (select 'task-' || k from generate_series(0, ${BACKLOG / 2 - 1}, 50) as k)
      and topic = 'task-events'`;
}, 120_000);
afterAll(() => sql?.end({ timeout: 5 }));

describe("the relay's batch query on a long backlog", () => {
  test("reads about one batch of rows, not the backlog per row", async () => {
    const [rows, read] = await sql.begin(async (tx) => {
      // The backend's counters not yet flushed (its earlier statements included), before and after.
      const counted = async () => {
        const [stats] = await tx<{ read: string }[]>`
          select (coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0))::text as read
          from pg_stat_xact_user_tables where relname = 'outbox' and schemaname = ${SCHEMA}`;
        return Number(stats?.read ?? 0);
      };
      const before = await counted();
      const batch = await freshRows(tx as unknown as Sql, BATCH);
      return [batch, (await counted()) - before];
    });
    expect(rows).toHaveLength(BATCH);
    // The batch, the held rows and the index look-ups around them — a few batches' worth.
    expect(read).toBeLessThan(10 * BATCH);
  });

  test("is the oldest pending rows, without a row whose task has an earlier one waiting", async () => {
    const rows = await freshRows(sql, BATCH);
    const held = new Set(
      (await sql<{ partition_key: string }[]>`select partition_key from outbox where attempts > 0`).map(
        (r) => r.partition_key,
      ),
    );
    expect(rows.some((row) => held.has(row.partition_key))).toBe(false);
    const seqs = rows.map((row) => BigInt(row.seq));
    expect([...seqs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(seqs);
    // Nothing older was skipped except held tasks' rows.
    const [older] = await sql<{ n: number }[]>`
      select count(*)::int as n from outbox
      where sent_at is null and attempts = 0 and seq < ${rows.at(-1)?.seq ?? "0"}
        and partition_key not in (select partition_key from outbox where attempts > 0)
        and seq <> all(${rows.map((row) => row.seq)}::bigint[])`;
    expect(older?.n).toBe(0);
  });
});
