import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect, migrate, readMigrations } from "@nudge/db";
import { createLogger } from "@nudge/service";
import {
  type EventRecorder,
  STARTUP_TIMEOUT_MS,
  startEventRecorder,
  TEARDOWN_TIMEOUT_MS,
  waitFor,
} from "@nudge/testing";
import { pruneExpiredKeys, startIdempotencyPruner } from "../../services/task-api/src/idempotency/pruner.ts";
import { migrations as taskApiMigrations } from "../../services/task-api/src/migrate.ts";
import { startOutboxRelay } from "../../services/task-api/src/outbox/relay.ts";
import { APP_API_TOKEN, startTaskApi, type TaskApiFixture } from "./fixture.ts";

let api: TaskApiFixture;
let recorder: EventRecorder;
beforeAll(async () => {
  api = await startTaskApi();
  recorder = await startEventRecorder(api.stack, ["task-events"]);
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  await recorder?.stop();
  await api?.stop();
}, TEARDOWN_TIMEOUT_MS);

describe("operations", () => {
  test("OpenAPI 3.1 describes the public routes, not the internal ones", async () => {
    const { body } = await api.request("GET", "/openapi.json");
    expect(body.openapi).toMatch(/^3\.1/);
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining(["/tasks", "/tasks/{id}", "/tasks/{id}/complete", "/tags", "/me/preferences"]),
    );
    expect(Object.keys(body.paths).some((p) => p.startsWith("/internal"))).toBe(false);
  });

  test("the internal routes have a document of their own, behind the sidecar's app token", async () => {
    expect((await api.request("GET", "/internal/openapi.json")).status).toBe(403);
    const { status, body } = await api.request("GET", "/internal/openapi.json", {
      headers: { "dapr-api-token": APP_API_TOKEN },
    });
    expect(status).toBe(200);
    const paths = Object.keys(body.paths);
    expect(paths).toEqual(
      expect.arrayContaining(["/internal/reminders/{id}", "/internal/notifications/batch"]),
    );
    expect(paths.every((p) => p.startsWith("/internal/"))).toBe(true);
    expect(body.paths["/internal/reminders/{id}"].get.security).toEqual([{ appToken: [] }]);
  });

  test("the operator routes' document needs the operator token (none is set here)", async () => {
    expect((await api.request("GET", "/operator/openapi.json")).status).toBe(401);
  });

  test("/metrics, on its own port, exposes request counts, latency histograms and the outbox lag", async () => {
    await api.request("GET", "/tasks", { user: "metrics-user" });
    const text = await (await fetch(api.metricsUrl)).text();
    expect(text).toContain('nudge_http_requests_total{method="GET",route="/tasks",status="200"}');
    expect(text).toContain("nudge_http_request_duration_seconds_bucket");
    expect(text).toMatch(/nudge_outbox_lag_seconds \d/);
    expect(text).toMatch(/nudge_outbox_unsent_events \d+/);
  });

  test("/readyz reports PostgreSQL and the sidecar", async () => {
    expect((await api.request("GET", "/readyz")).body).toEqual({
      status: "ready",
      database: true,
      dapr: true,
    });
  });
});

describe("migrations", () => {
  test("replicas migrating at once apply each migration exactly once", async () => {
    const schema = `migrate_race_${Date.now().toString(36)}`;
    const migrations = await readMigrations(taskApiMigrations.dir);
    const pools = [1, 2, 3].map(() =>
      connect(api.stack.databaseUrl, { schema, max: 1, applicationName: "race" }),
    );
    const results = await Promise.all(pools.map((sql) => migrate(sql, schema, migrations)));
    expect(results.flat().sort()).toEqual(migrations.map((m) => m.version).sort());
    const rows = await pools[0]?.unsafe(`select version from "${schema}".schema_migrations`);
    expect(rows).toHaveLength(migrations.length);
    await Promise.all(pools.map((sql) => sql.end()));
  });

  test("a migration edited after it was applied stops the runner", async () => {
    const schema = `migrate_edit_${Date.now().toString(36)}`;
    const sql = connect(api.stack.databaseUrl, { schema, max: 1, applicationName: "edit" });
    const migrations = await readMigrations(taskApiMigrations.dir);
    await migrate(sql, schema, migrations);
    const edited = migrations.map((m, i) => (i === 0 ? { ...m, checksum: "changed" } : m));
    await expect(migrate(sql, schema, edited)).rejects.toThrow(/was changed after it was applied/);
    await sql.end();
  });
});

describe("several relays (replicas) on one outbox", () => {
  test("publish every event exactly once, with one leader at a time", async () => {
    const log = createLogger("task-api", "error");
    const second = startOutboxRelay(
      api.sql,
      api.sidecar,
      { ...api.config.outbox, schema: "task_api", batchSize: 50, pollMs: 200, retentionHours: 24 },
      log,
    );
    try {
      const user = `user-${crypto.randomUUID()}`;
      const ids = new Set<string>();
      await Promise.all(
        Array.from({ length: 40 }, async (_, i) => {
          const { body } = await api.request("POST", "/tasks", { user, body: { title: `Replica ${i}` } });
          ids.add(body.id);
        }),
      );
      await recorder.waitForCount((e) => ids.has(e.subject ?? ""), 40);
      expect([api.relay.isLeader, second.isLeader].filter(Boolean)).toHaveLength(1);
      // Once the outbox has drained, every copy that will ever be sent has been sent.
      await waitFor("the outbox to drain", async () => {
        const [row] = await api.sql<
          { n: number }[]
        >`select count(*)::int as n from outbox where sent_at is null and parked_at is null`;
        return row?.n === 0;
      });
      await recorder.waitForCount((e) => ids.has(e.subject ?? ""), 40);
      const copies = recorder.events.filter((e) => ids.has(e.subject ?? "") && e.topic === "task-events");
      expect(copies).toHaveLength(40);
    } finally {
      await second.stop();
    }
  }, 60_000);
});

describe("a relay whose lanes fail", () => {
  test("tries for the lease again at its poll interval, not in a loop", async () => {
    // On a schema of its own, whose outbox is gone: every batch query fails.
    const schema = `relay_failing_${Date.now().toString(36)}`;
    await taskApiMigrations.apply(api.stack.databaseUrl, schema);
    const own = connect(api.stack.databaseUrl, { schema, max: 4, applicationName: schema });
    await own`alter table outbox rename to outbox_gone`;
    let tries = 0;
    const counted = new Proxy(own, {
      get: (target, name) =>
        name === "reserve"
          ? () => {
              tries++;
              return target.reserve();
            }
          : Reflect.get(target, name),
    });
    const pollMs = 200;
    const relay = startOutboxRelay(
      counted,
      api.sidecar,
      { ...api.config.outbox, schema, batchSize: 50, pollMs, retentionHours: 24 },
      createLogger("task-api", "error"),
    );
    try {
      await waitFor("the relay to try for the lease", async () => tries > 0);
      // Ten poll intervals: about ten tries, not a loop of thousands.
      const before = tries;
      await Bun.sleep(10 * pollMs);
      expect(tries - before).toBeLessThanOrEqual(12);
    } finally {
      await relay.stop();
      await own.end();
    }
  }, 60_000);
});

describe("internal routes through Dapr service invocation", () => {
  test("creating a next occurrence twice with one idempotency key creates one task", async () => {
    const user = `user-${crypto.randomUUID()}`;
    const body = {
      userId: user,
      idempotencyKey: `series-1:occurrence-2`,
      task: { title: "Water plants", tags: ["home"] },
    };
    const invoke = () =>
      fetch(`${api.sidecar.httpUrl}/v1.0/invoke/task-api/method/internal/tasks`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const [first, second] = [await invoke(), await invoke()];
    expect([first.status, second.status]).toEqual([201, 201]);
    const [a, b] = [await first.json(), await second.json()];
    expect(b).toEqual(a);
    expect((await api.request("GET", "/tasks", { user })).body.items).toHaveLength(1);
  });
});

describe("outbox retention", () => {
  test("the leading relay prunes rows sent longer ago than the retention, and nothing unsent", async () => {
    const user = `user-${crypto.randomUUID()}`;
    const { body: task } = await api.request("POST", "/tasks", { user, body: { title: "Prune my events" } });
    await waitFor("the task's events to be sent", async () => {
      const rows = await api.sql`select 1 from outbox where partition_key = ${task.id} and sent_at is null`;
      return rows.length === 0;
    });
    // Hand the lease to a relay that keeps nothing; it prunes as soon as it leads.
    await api.relay.stop();
    const log = createLogger("task-api", "error");
    const pruner = startOutboxRelay(
      api.sql,
      api.sidecar,
      { ...api.config.outbox, schema: "task_api", batchSize: 50, pollMs: 200, retentionHours: 0 },
      log,
    );
    try {
      await waitFor("the sent rows to be pruned", async () => {
        const [row] = await api.sql<
          { sent: number }[]
        >`select count(*)::int as sent from outbox where sent_at is not null`;
        return row?.sent === 0;
      });
      // A row written now is still published: pruning never touches unsent rows.
      const { body: later } = await api.request("POST", "/tasks", {
        user,
        body: { title: "Still published" },
      });
      await recorder.waitForCount((e) => e.subject === later.id, 1);
    } finally {
      await pruner.stop();
    }
  }, 60_000);
});

describe("idempotency key retention", () => {
  test("keys older than their 24 hours are pruned, younger ones kept", async () => {
    const user = `user-${crypto.randomUUID()}`;
    await api.sql`
      insert into idempotency_keys (user_id, key, request_hash, created_at) values
        (${user}, 'expired', 'h', now() - interval '25 hours'), (${user}, 'recent', 'h', now() - interval '23 hours')`;
    const pruner = startIdempotencyPruner(api.sql, "task_api", createLogger("task-api", "error"));
    try {
      await waitFor("the expired key to be pruned", async () => {
        const rows =
          await api.sql`select 1 from idempotency_keys where user_id = ${user} and key = 'expired'`;
        return rows.length === 0;
      });
    } finally {
      await pruner.stop();
    }
    const kept = await api.sql<{ key: string }[]>`select key from idempotency_keys where user_id = ${user}`;
    expect(kept.map((row) => row.key)).toEqual(["recent"]);
  });

  test("a replica skips the round while another one prunes", async () => {
    const user = `user-${crypto.randomUUID()}`;
    await api.sql`
      insert into idempotency_keys (user_id, key, request_hash, created_at)
      values (${user}, 'expired', 'h', now() - interval '25 hours')`;
    await api.sql.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(hashtext('nudge-idempotency-prune:task_api'))`;
      expect(await pruneExpiredKeys(api.sql, "task_api")).toBeUndefined();
    });
    expect(await pruneExpiredKeys(api.sql, "task_api")).toBeGreaterThanOrEqual(1);
  });
});
