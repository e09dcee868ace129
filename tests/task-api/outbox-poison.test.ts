import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import {
  type EventRecorder,
  repoRoot,
  STARTUP_TIMEOUT_MS,
  startEventRecorder,
  TEARDOWN_TIMEOUT_MS,
  waitFor,
} from "@nudge/testing";
import { startTaskApi, type TaskApiFixture } from "./fixture.ts";

/**
 * Poisoned outbox rows against the real relay, the real daprd and Kafka: rows the sidecar
 * refuses with 431 (as it refused the 9 000-byte traceparent that once stalled publishing), rows
 * that fail on every try, rows that can never be delivered — more of them than the relay takes
 * in one batch, all ahead of healthy events in commit order. The healthy events must still go
 * out, and the poison must end up parked, counted and replayable.
 *
 * No row task-api writes can make daprd answer 431 any more (trace context is checked at the
 * edge and again by the relay, keys are task ids), so the refused rows are constructed: a 20 KB
 * topic name puts the request line over daprd's header limit on every connection.
 */
const OPERATOR_TOKEN = "operator-token-for-outbox-tests-0123";
const BATCH = 200;
const POISON = { refused: 250, unserialisable: 120, missingTopic: 40, tooLarge: 4, longKey: 30 };
const TOTAL_POISON = Object.values(POISON).reduce((a, b) => a + b, 0);
const HEALTHY = 40;

let api: TaskApiFixture;
let recorder: EventRecorder;
const user = `user-${crypto.randomUUID()}`;

beforeAll(async () => {
  api = await startTaskApi("task-api", {
    LOG_LEVEL: "error", // one warning per parked row otherwise
    OPERATOR_TOKEN,
    OUTBOX_BATCH_SIZE: String(BATCH),
    OUTBOX_MAX_ATTEMPTS: "3",
    OUTBOX_RETRY_MAX_MS: "1000",
    OUTBOX_PUBLISH_TIMEOUT_MS: "5000",
  });
  recorder = await startEventRecorder(api.stack, ["task-events"]);
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  // The run's later suites share this database: leave no parked rows behind.
  if (api) await api.sql`delete from outbox where parked_at is not null`;
  await recorder?.stop();
  await api?.stop();
}, TEARDOWN_TIMEOUT_MS);

const envelope = (id: string, subject: string, data: unknown) => ({
  specversion: "1.0",
  id,
  // Not a task event: consumers of task-events ignore it, so nothing lands on dlq-events.
  type: "test.outbox-probe",
  source: "/task-api",
  subject,
  time: new Date().toISOString(),
  datacontenttype: "application/json",
  data,
});

interface Row {
  id: string;
  topic: string;
  partition_key: string;
  event: unknown;
}

/** Rows written straight into the outbox, as a bug or an older release could have left them. */
async function insert(rows: Row[], extra: { parked?: boolean } = {}) {
  await api.sql.begin(async (tx) => {
    for (let i = 0; i < rows.length; i += 50) {
      await tx`insert into outbox ${tx(
        rows.slice(i, i + 50).map((row) => ({ ...row, event: tx.json(row.event as never) })),
        "id",
        "topic",
        "partition_key",
        "event",
      )}`;
    }
    if (extra.parked)
      await tx`update outbox set parked_at = now(), last_error = 'parked by an earlier fault' where id = any(${rows.map((r) => r.id)}::uuid[])`;
    await tx`select pg_notify('nudge_outbox', '')`;
  });
}

function poisonRows(): Row[] {
  const rows: Row[] = [];
  const id = () => Bun.randomUUIDv7();
  // The request line outgrows daprd's header buffer: it answers 431, as it did for the header.
  for (let i = 0; i < POISON.refused; i++) {
    const key = `poison-refused-${i}`;
    const topic = `task-events-${"t".repeat(20_000)}`;
    rows.push({ id: id(), topic, partition_key: key, event: envelope(id(), key, {}) });
  }
  // A key no subscriber could be handed: parked before it is sent.
  for (let i = 0; i < POISON.longKey; i++) {
    const key = `poison-long-key-${i}-${"k".repeat(9000)}`;
    rows.push({ id: id(), topic: "task-events", partition_key: key, event: envelope(id(), key, {}) });
  }
  // Not a CloudEvent at all: daprd answers 500 "cannot create cloudevent" on every try.
  for (let i = 0; i < POISON.unserialisable; i++) {
    rows.push({ id: id(), topic: "task-events", partition_key: `unserialisable-${i}`, event: [i] });
  }
  // A topic the broker does not have (auto-create is off): 500 on every try.
  for (let i = 0; i < POISON.missingTopic; i++) {
    const key = `missing-topic-${i}`;
    rows.push({ id: id(), topic: "no-such-topic", partition_key: key, event: envelope(id(), key, {}) });
  }
  // Larger than the broker takes.
  for (let i = 0; i < POISON.tooLarge; i++) {
    const key = `too-large-${i}`;
    rows.push({
      id: id(),
      topic: "task-events",
      partition_key: key,
      event: envelope(id(), key, { blob: "x".repeat(1_200_000) }),
    });
  }
  return rows;
}

async function metric(name: string): Promise<number> {
  const text = await (await fetch(api.metricsUrl)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return Number(line?.split(" ")[1] ?? Number.NaN);
}

/** `./nudge outbox …` (its script), against this test's task-api; async: the API runs in this process. */
async function nudgeOutbox(...args: string[]) {
  const run = Bun.spawn(["bun", join(repoRoot, "scripts", "outbox.ts"), ...args], {
    env: { ...process.env, TASK_API_URL: api.baseUrl, OPERATOR_TOKEN },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([
    new Response(run.stdout).text(),
    new Response(run.stderr).text(),
    run.exited,
  ]);
  return { code, out, err };
}

/**
 * Other users keep working while `condition` is awaited: a task every 300 ms, each of whose
 * events must be published too. (A retried row is counted against its limit only while other
 * rows get through — without any traffic a failure looks like an outage, and nothing is parked.)
 */
async function whileOthersKeepWorking(what: string, condition: () => Promise<boolean>, timeoutMs: number) {
  const created: string[] = [];
  let done = false;
  const traffic = (async () => {
    while (!done) {
      const { body } = await api.request("POST", "/tasks", {
        user,
        body: { title: `Meanwhile ${created.length}` },
      });
      created.push(body.id);
      await Bun.sleep(300);
    }
  })();
  try {
    await waitFor(what, condition, { timeoutMs });
  } finally {
    done = true;
    await traffic;
  }
  const ids = new Set(created);
  await recorder.waitForCount((e) => ids.has(e.subject ?? ""), ids.size, 60_000);
  return ids.size;
}

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))] ?? 0;

describe("poisoned outbox rows", () => {
  test(`${TOTAL_POISON} poisoned rows (over ${Math.floor(TOTAL_POISON / BATCH)} batches) ahead of them hold back no other task's events`, async () => {
    // Publishing works before the poison arrives (and the recorder's consumer group is live).
    const { body: warm } = await api.request("POST", "/tasks", { user, body: { title: "Warm up" } });
    await recorder.waitForCount((e) => e.subject === warm.id, 1, 60_000);

    // A task whose own next event will sit behind one of the poisoned rows.
    const { body: victim } = await api.request("POST", "/tasks", { user, body: { title: "Shares a key" } });
    await recorder.waitForCount((e) => e.subject === victim.id, 1);

    // A row from before trace context was checked at the edge: a 9 000-byte traceparent.
    const oldRowId = Bun.randomUUIDv7();
    const oldRow = { ...envelope(oldRowId, victim.id, { note: "old row" }), traceparent: "a".repeat(9000) };

    const started = Date.now();
    await insert([
      ...poisonRows(),
      {
        id: Bun.randomUUIDv7(),
        topic: "no-such-topic",
        partition_key: victim.id,
        event: envelope(Bun.randomUUIDv7(), victim.id, { note: "poison for a real task" }),
      },
      { id: oldRowId, topic: "task-events", partition_key: `old-row-${oldRowId}`, event: oldRow },
    ]);
    const committed = new Map<string, number>();
    await Promise.all(
      Array.from({ length: HEALTHY }, async (_, i) => {
        const { status, body } = await api.request("POST", "/tasks", {
          user,
          body: { title: `Healthy ${i}` },
        });
        expect(status).toBe(201);
        committed.set(body.id, Date.now());
      }),
    );
    const patched = await api.request("PATCH", `/tasks/${victim.id}`, {
      user,
      body: { title: "After the poison" },
    });
    expect(patched.status).toBe(200);

    const arrived = await recorder.waitForCount((e) => committed.has(e.subject ?? ""), HEALTHY, 60_000);
    const latencies = arrived.map((e) => e.receivedAt - (committed.get(e.subject ?? "") as number));
    const allHealthyAt = Date.now() - started;

    // The old row goes out, without the traceparent nobody can forward.
    const [old] = await recorder.waitForCount((e) => e.id === oldRowId, 1, 60_000);
    expect(old?.traceparent ?? "").not.toContain("aaaa");

    // The real task's next event follows once the poison ahead of it is parked (stepped over).
    const [after] = await recorder.waitForCount(
      (e) =>
        e.subject === victim.id &&
        (e.data as { task?: { title?: string } }).task?.title === "After the poison",
      1,
      60_000,
    );
    expect(after).toBeDefined();
    // … and not before: while the poison was being retried, the task's next event waited.
    const [poisonOfVictim] = await api.sql<{ parked_at: Date }[]>`
      select parked_at from outbox where partition_key = ${victim.id} and topic = 'no-such-topic'`;
    expect(poisonOfVictim?.parked_at.getTime()).toBeLessThanOrEqual(after?.receivedAt as number);

    const meanwhile = await whileOthersKeepWorking(
      "every poisoned row to be parked",
      async () => (await metric("nudge_outbox_parked_events")) === TOTAL_POISON + 1,
      120_000,
    );
    const allParkedAt = Date.now() - started;
    console.log(
      `outbox poison: ${TOTAL_POISON + 1} poisoned rows (${JSON.stringify(POISON)}, batch ${BATCH}); ` +
        `${HEALTHY} healthy events after commit: p50 ${percentile(latencies, 50)} ms, max ${Math.max(...latencies)} ms; ` +
        `all healthy out ${allHealthyAt} ms after the poison, all poison parked after ${allParkedAt} ms ` +
        `(${meanwhile} more tasks created and published meanwhile)`,
    );
    // And nothing else is left in line (the healthy tasks' task-updates rows go out too).
    await waitFor(
      "the outbox to drain",
      async () =>
        (await metric("nudge_outbox_unsent_events")) === 0 &&
        (await metric("nudge_outbox_retrying_events")) === 0,
      { timeoutMs: 30_000 },
    );

    const reasons: Array<{ reason: string; n: number }> = await api.sql`
      select case when last_error like 'the sidecar answered HTTP 431%' then 'refused 431'
                  when last_error like 'gave up after 3 attempts%' then 'gave up'
                  when last_error like '%OUTBOX_MAX_EVENT_BYTES%' then 'too large'
                  when last_error like 'partition key of % bytes exceeds 256' then 'long key'
                  when last_error like 'not a CloudEvent%' then 'not a CloudEvent'
                  else last_error end as reason, count(*)::int as n
      from outbox where parked_at is not null group by 1 order by 1`;
    expect(reasons).toEqual([
      { reason: "gave up", n: POISON.missingTopic + 1 },
      { reason: "long key", n: POISON.longKey },
      { reason: "not a CloudEvent", n: POISON.unserialisable },
      { reason: "refused 431", n: POISON.refused },
      { reason: "too large", n: POISON.tooLarge },
    ]);
    // Nothing parked was ever delivered.
    expect(recorder.events.filter((e) => String(e.subject).startsWith("poison-"))).toEqual([]);
  }, 240_000);

  test("./nudge outbox lists the parked rows with their reasons", async () => {
    const { code, out } = await nudgeOutbox("list");
    expect(code).toBe(0);
    expect(out).toContain(`${TOTAL_POISON + 1} parked`);
    expect(out).toContain("reason: the sidecar answered HTTP 431");
    expect(out).toContain("reason: gave up after 3 attempts: the sidecar answered HTTP 500");
    expect(out).toContain("exceeds OUTBOX_MAX_EVENT_BYTES");
  });

  test("a parked row whose cause is gone is published by replay, with its original id", async () => {
    const { body: task } = await api.request("POST", "/tasks", { user, body: { title: "Parked once" } });
    const id = Bun.randomUUIDv7();
    await insert(
      [
        {
          id,
          topic: "task-events",
          partition_key: task.id,
          event: envelope(id, task.id, { note: "replay me" }),
        },
      ],
      {
        parked: true,
      },
    );
    expect((await nudgeOutbox("show", id)).out).toContain("replay me");
    const replay = await nudgeOutbox("replay", id);
    expect(replay.out).toContain(`replayed 1: ${id}`);
    await recorder.waitForCount((e) => e.id === id, 1, 30_000);
    expect((await nudgeOutbox("replay", id)).code).toBe(1); // no longer parked: nothing to replay
  }, 60_000);

  test("replaying everything is safe: rows that still fail are parked again, nothing is lost or sent", async () => {
    expect((await nudgeOutbox("replay", "--all")).out).toContain(`replayed ${TOTAL_POISON + 1}`);
    await whileOthersKeepWorking(
      "the replayed poison to be parked again",
      async () =>
        (await metric("nudge_outbox_parked_events")) === TOTAL_POISON + 1 &&
        (await metric("nudge_outbox_unsent_events")) === 0,
      120_000,
    );
    expect(recorder.events.filter((e) => String(e.subject).startsWith("poison-"))).toEqual([]);
  }, 180_000);

  test("operator routes refuse a caller without the operator token", async () => {
    expect((await fetch(`${api.baseUrl}/operator/outbox/parked`)).status).toBe(401);
    const wrong = await fetch(`${api.baseUrl}/operator/outbox/parked/replay`, {
      method: "POST",
      headers: { authorization: "Bearer not-the-operator-token-000000" },
    });
    expect(wrong.status).toBe(401);
  });
});
