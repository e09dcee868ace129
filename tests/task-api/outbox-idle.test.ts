import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { msUntilNextDue } from "../../services/task-api/src/outbox/store.ts";
import { startTaskApi, type TaskApiFixture } from "./fixture.ts";

let api: TaskApiFixture;
beforeAll(async () => {
  api = await startTaskApi();
}, 120_000);
afterAll(() => api?.stop());

describe("an idle outbox relay", () => {
  test("sees nothing due when no row is pending, and the time until a pending retry", async () => {
    await api.sql`delete from outbox where sent_at is null`;
    expect(await msUntilNextDue(api.sql, false)).toBeUndefined();
    expect(await msUntilNextDue(api.sql, true)).toBeUndefined();

    const id = crypto.randomUUID();
    await api.sql`insert into outbox (id, topic, partition_key, event, attempts, next_attempt_at)
                  values (${id}, 'task-events', 'k', '{}'::jsonb, 1, now() + interval '5 seconds')`;
    try {
      const due = await msUntilNextDue(api.sql, true);
      expect(due).toBeGreaterThan(0);
      expect(due).toBeLessThanOrEqual(5000);
      expect(await msUntilNextDue(api.sql, false)).toBeUndefined();
    } finally {
      await api.sql`delete from outbox where id = ${id}`;
    }
  });

  test("waits for its poll interval instead of querying the outbox in a loop", async () => {
    const scans = async () => {
      const [row] = await api.sql<{ n: string }[]>`
        select (coalesce(seq_scan, 0) + coalesce(idx_scan, 0))::text as n
        from pg_stat_user_tables where relname = 'outbox' and schemaname = current_schema()`;
      return Number(row?.n ?? 0);
    };
    await Bun.sleep(1500); // statistics are flushed about once a second
    const before = await scans();
    await Bun.sleep(3000);
    const after = await scans();
    // Polling every 500 ms (the fixture's OUTBOX_POLL_MS) is a few dozen scans; the busy loop
    // the test cluster found was about 20 000 a second.
    expect(after - before).toBeLessThan(200);
  }, 30_000);
});
