import { type CloudEvent, publishEvent, type Sidecar } from "@nudge/dapr";
import type { Sql } from "@nudge/db";
import type { Logger } from "@nudge/service";
import { OUTBOX_CHANNEL } from "./enqueue.ts";

interface OutboxRow {
  seq: string;
  id: string;
  topic: string;
  partition_key: string;
  event: CloudEvent;
}

export interface RelayOptions {
  schema: string;
  batchSize: number;
  pollMs: number;
  retentionHours: number;
}

export interface OutboxRelay {
  stop(): Promise<void>;
  readonly isLeader: boolean;
  readonly published: number;
}

const PUBLISH_CONCURRENCY = 16;
const MAX_BACKOFF_MS = 10_000;
const PRUNE_EVERY_MS = 10 * 60_000;

/**
 * Publishes outbox rows through the Dapr pub/sub API, oldest first.
 * - One relay publishes at a time: the replica holding a session advisory lock is the leader,
 *   the others stand by, so events of one task are never published out of order or twice by
 *   racing replicas. The lock dies with its connection, so a crashed leader is replaced.
 * - It wakes on NOTIFY (sent by the writing transaction on commit) and polls as a fallback.
 * - Rows of one task (partition key) go out strictly in order; different tasks in parallel.
 *   When a publish fails, that task's remaining rows wait and the relay backs off; writes
 *   are unaffected meanwhile.
 */
export function startOutboxRelay(
  sql: Sql,
  sidecar: Sidecar,
  options: RelayOptions,
  log: Logger,
): OutboxRelay {
  let stopped = false;
  let isLeader = false;
  let published = 0;
  let failures = 0;
  let lastPrune = 0;

  // A NOTIFY that arrives while a batch is in flight is remembered, so it is never lost.
  let pending = false;
  let interrupt: (() => void) | undefined;
  const wake = () => {
    pending = true;
    interrupt?.();
  };
  const idle = (ms: number) =>
    new Promise<void>((resolve) => {
      if (pending || stopped) {
        pending = false;
        return resolve();
      }
      const done = () => {
        clearTimeout(timer);
        interrupt = undefined;
        pending = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      interrupt = done;
    });
  /** Backoff ignores NOTIFY (new writes must not hammer a broker that is down), not stop(). */
  const backOff = async (ms: number) => {
    for (let waited = 0; waited < ms && !stopped; waited += 100) await Bun.sleep(100);
  };

  const listening = sql
    .listen(OUTBOX_CHANNEL, () => wake())
    .catch((error) => {
      log.warn("outbox relay could not LISTEN; falling back to polling", { error: String(error) });
    });

  const lockKey = `nudge-outbox-relay:${options.schema}`;

  async function publishGroup(rows: OutboxRow[], sent: string[]): Promise<string | undefined> {
    for (const row of rows) {
      try {
        await publishEvent(sidecar, row.topic, row.event, { partitionKey: row.partition_key });
        sent.push(row.id);
      } catch (error) {
        await sql`update outbox set attempts = attempts + 1, last_error = ${String(error).slice(0, 1000)} where id = ${row.id}`;
        return String(error);
      }
    }
    return undefined;
  }

  /** One batch; resolves to true when more rows may be waiting. */
  async function drainBatch(leader: Sql): Promise<boolean> {
    const rows = await leader<OutboxRow[]>`
      select seq, id, topic, partition_key, event from outbox
      where sent_at is null order by seq limit ${options.batchSize}`;
    if (!rows.length) return false;
    const groups = new Map<string, OutboxRow[]>();
    for (const row of rows) {
      const group = groups.get(row.partition_key) ?? [];
      group.push(row);
      groups.set(row.partition_key, group);
    }
    const sent: string[] = [];
    const queue = [...groups.values()];
    const errors: string[] = [];
    await Promise.all(
      Array.from({ length: Math.min(PUBLISH_CONCURRENCY, queue.length) }, async () => {
        for (let group = queue.shift(); group; group = queue.shift()) {
          const error = await publishGroup(group, sent);
          if (error) errors.push(error);
        }
      }),
    );
    if (sent.length) await leader`update outbox set sent_at = now() where id = any(${sent}::uuid[])`;
    published += sent.length;
    if (errors.length) {
      failures++;
      const backoff = Math.min(250 * 2 ** (failures - 1), MAX_BACKOFF_MS);
      log.warn("outbox publish failed; backing off", {
        failed: errors.length,
        sent: sent.length,
        backoffMs: backoff,
        error: errors[0],
      });
      await backOff(backoff);
      return true;
    }
    if (failures) log.info("outbox publishing recovered", { afterFailures: failures });
    failures = 0;
    return rows.length === options.batchSize;
  }

  async function prune(leader: Sql) {
    if (Date.now() - lastPrune < PRUNE_EVERY_MS) return;
    lastPrune = Date.now();
    const outbox = await leader`
      delete from outbox where seq in (
        select seq from outbox where sent_at < now() - make_interval(hours => ${options.retentionHours}) limit 10000)`;
    const keys = await leader`delete from idempotency_keys where created_at < now() - interval '24 hours'`;
    if (outbox.count || keys.count)
      log.info("pruned", { outboxRows: outbox.count, idempotencyKeys: keys.count });
  }

  async function lead() {
    const leader = await sql.reserve();
    try {
      const [row] = await leader<
        { locked: boolean }[]
      >`select pg_try_advisory_lock(hashtext(${lockKey})) as locked`;
      if (!row?.locked) return;
      isLeader = true;
      log.info("outbox relay is the leader");
      while (!stopped) {
        const more = await drainBatch(leader as unknown as Sql);
        await prune(leader as unknown as Sql);
        if (!more && !stopped) await idle(options.pollMs);
      }
      await leader`select pg_advisory_unlock(hashtext(${lockKey}))`;
    } finally {
      isLeader = false;
      leader.release();
    }
  }

  const running = (async () => {
    while (!stopped) {
      try {
        await lead();
      } catch (error) {
        log.warn("outbox relay lost its connection; retrying", { error: String(error) });
      }
      if (!stopped) await backOff(options.pollMs);
    }
  })();

  return {
    get isLeader() {
      return isLeader;
    },
    get published() {
      return published;
    },
    async stop() {
      stopped = true;
      wake();
      await running;
      await (await listening)?.unlisten();
    },
  };
}
