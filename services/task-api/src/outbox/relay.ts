import type { Sidecar } from "@nudge/dapr";
import type { Sql } from "@nudge/db";
import type { Logger } from "@nudge/service";
import type { Metrics } from "../observability/metrics.ts";
import { OUTBOX_CHANNEL } from "./enqueue.ts";
import { type FailureKind, type PublishFailure, publishRow } from "./publish-row.ts";
import { publishWave } from "./publish-wave.ts";
import {
  freshRows,
  markSent,
  msUntilNextDue,
  type OutboxRow,
  park,
  recordFailure,
  retryRows,
} from "./store.ts";

export interface RelayOptions {
  schema: string;
  batchSize: number;
  pollMs: number;
  retentionHours: number;
  /** Failed attempts (while publishing works for other rows) before a row is parked. */
  maxAttempts: number;
  /** Longest wait between two attempts of one row. */
  retryMaxMs: number;
  publishTimeoutMs: number;
  maxEventBytes: number;
}

export interface OutboxRelay {
  stop(): Promise<void>;
  readonly isLeader: boolean;
  readonly published: number;
}

const PUBLISH_CONCURRENCY = 16;
/** Retries run beside new rows, never in their place: a few workers of their own. */
const RETRY_CONCURRENCY = 4;
const MAX_OUTAGE_BACKOFF_MS = 10_000;
const PRUNE_EVERY_MS = 10 * 60_000;
/** A failure is the row's own only if some other row was published this recently. */
const HEALTHY_WINDOW_MS = 10_000;

/**
 * Publishes outbox rows through the Dapr pub/sub API, oldest first.
 * - One relay publishes at a time: the replica holding a session advisory lock is the leader,
 *   the others stand by, so events of one task are never published out of order or twice by
 *   racing replicas. The lock dies with its connection, so a crashed leader is replaced.
 * - It wakes on NOTIFY (sent by the writing transaction on commit) and polls as a fallback.
 * - Rows of one task (partition key) go out strictly in order; different tasks together, in
 *   bulk calls (publish-wave.ts), with one call per row only where a bulk call did not confirm.
 * - A row the sidecar refuses (4xx), or that could never be delivered, is parked at once. Any
 *   other failure is judged in context (docs/services.md, "The outbox relay"): when nothing else
 *   has been published lately it is taken for an outage — the row waits uncounted, the relay
 *   backs off; otherwise it is the row's own — retried with backoff on a lane of its own and
 *   parked after `maxAttempts`. While a row is retried its task's later rows wait behind it;
 *   no other task's rows do.
 */
export function startOutboxRelay(
  sql: Sql,
  sidecar: Sidecar,
  options: RelayOptions,
  log: Logger,
  metrics?: Metrics,
): OutboxRelay {
  let stopped = false;
  let isLeader = false;
  let published = 0;
  let outageFailures = 0;
  let lastPublishedAt = 0;
  let lastPrune = 0;
  // Set when a lane of the current leadership failed (its connection is gone): the other stops too.
  let lost = false;
  const active = () => !stopped && !lost;
  const limits = { maxEventBytes: options.maxEventBytes, timeoutMs: options.publishTimeoutMs };

  // A NOTIFY that arrives while a batch is in flight is remembered, so it is never lost.
  let pending = false;
  let interrupt: (() => void) | undefined;
  const wake = () => {
    pending = true;
    interrupt?.();
  };
  const idle = (ms: number) =>
    new Promise<void>((resolve) => {
      if (pending || !active()) {
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
  /** A sleep that ignores NOTIFY (new writes must not hammer a broker that is down), not stop(). */
  const sleep = async (ms: number) => {
    for (let waited = 0; waited < ms && active(); waited += 100) await Bun.sleep(Math.min(100, ms - waited));
  };

  const listening = sql
    .listen(OUTBOX_CHANNEL, () => wake())
    .catch((error) => {
      log.warn("outbox relay could not LISTEN; falling back to polling", { error: String(error) });
    });

  const lockKey = `nudge-outbox-relay:${options.schema}`;
  const count = (name: string, help: string, labels: Record<string, string> = {}, by = 1) =>
    metrics?.inc(name, help, labels, by);
  const retryBackoff = (attempts: number) => Math.min(250 * 2 ** (attempts - 1), options.retryMaxMs);
  const outageBackoff = () => Math.min(250 * 2 ** Math.max(0, outageFailures - 1), MAX_OUTAGE_BACKOFF_MS);

  /** Decide what a failed row's fate is; resolves to "outage" when nothing else gets through. */
  async function failed(
    leader: Sql,
    row: OutboxRow,
    failure: PublishFailure,
  ): Promise<FailureKind | "outage"> {
    const healthy = Date.now() - lastPublishedAt < HEALTHY_WINDOW_MS;
    const where = { id: row.id, topic: row.topic, partitionKey: row.partition_key.slice(0, 100) };
    if (failure.kind !== "transient") {
      await park(leader, row.id, failure.message, true);
      count("nudge_outbox_parked_total", "Outbox rows parked, by reason.", { reason: failure.kind });
      log.warn("outbox row parked: it cannot be published (./nudge outbox list)", {
        ...where,
        reason: failure.message,
      });
      return failure.kind;
    }
    if (!healthy) {
      await recordFailure(leader, row.id, failure.message, outageBackoff(), false);
      return "outage";
    }
    const attempts = row.attempts + 1;
    if (attempts >= options.maxAttempts) {
      await park(leader, row.id, `gave up after ${attempts} attempts: ${failure.message}`, true);
      count("nudge_outbox_parked_total", "Outbox rows parked, by reason.", { reason: "attempts" });
      log.warn("outbox row parked after repeated failures (./nudge outbox list)", {
        ...where,
        attempts,
        reason: failure.message,
      });
    } else {
      await recordFailure(leader, row.id, failure.message, retryBackoff(attempts), true);
    }
    return "transient";
  }

  /** Publish one row alone; resolves to its failure's judgment, undefined when it went out. */
  async function publishAlone(leader: Sql, row: OutboxRow): Promise<FailureKind | "outage" | undefined> {
    try {
      await publishRow(sidecar, row, limits);
      lastPublishedAt = Date.now();
      return undefined;
    } catch (error) {
      const outcome = await failed(leader, row, error as PublishFailure);
      count("nudge_outbox_publish_failures_total", "Failed publish attempts, by how they were judged.", {
        kind: outcome,
      });
      return outcome;
    }
  }

  /**
   * Publish rows in waves: wave n holds the n-th row of every task, so a task's rows go out
   * strictly in order while different tasks share bulk calls. What a wave's bulk calls do not
   * confirm is published alone (`concurrency` at a time) and judged there. A task whose row
   * failed stops (its later rows wait for it), except after a parked row, which is stepped over
   * (docs/decisions.md).
   */
  async function publishAll(leader: Sql, rows: OutboxRow[], concurrency: number) {
    const groups = new Map<string, OutboxRow[]>();
    for (const row of rows) groups.set(row.partition_key, [...(groups.get(row.partition_key) ?? []), row]);
    let tasks = [...groups.values()];
    const sent: string[] = [];
    const outcomes: Array<FailureKind | "outage"> = [];
    let waves = 0;
    let aloneCount = 0;
    while (tasks.length && active()) {
      waves++;
      const wave = tasks.map((task) => task[0] as OutboxRow);
      const confirmed = await publishWave(sidecar, wave, limits);
      if (confirmed.size) lastPublishedAt = Date.now();
      const alone = wave.filter((row) => !confirmed.has(row));
      aloneCount += alone.length;
      const stopped = new Set<OutboxRow>();
      await Promise.all(
        Array.from({ length: Math.min(concurrency, alone.length) }, async () => {
          for (let row = alone.shift(); row; row = alone.shift()) {
            const outcome = await publishAlone(leader, row);
            if (!outcome) confirmed.add(row);
            else {
              outcomes.push(outcome);
              if (outcome !== "rejected" && outcome !== "invalid") stopped.add(row);
            }
          }
        }),
      );
      for (const row of confirmed) sent.push(row.id);
      tasks = tasks.filter((task) => !stopped.has(task[0] as OutboxRow)).map((task) => task.slice(1));
      tasks = tasks.filter((task) => task.length > 0);
    }
    const marking = performance.now();
    await markSent(leader, sent);
    const markMs = performance.now() - marking;
    published += sent.length;
    if (sent.length) count("nudge_outbox_published_total", "Outbox rows published.", {}, sent.length);
    return { sent: sent.length, outcomes, waves, alone: aloneCount, markMs };
  }

  /** New rows, in commit order. Resolves when the relay should look again at once. */
  async function freshLane(leader: Sql): Promise<void> {
    while (active()) {
      const fetching = performance.now();
      const rows = await freshRows(leader, options.batchSize);
      const fetchedMs = performance.now() - fetching;
      if (!rows.length) {
        const due = await msUntilNextDue(leader, false);
        await idle(Math.min(options.pollMs, due ?? options.pollMs));
        await prune(leader);
        continue;
      }
      const publishing = performance.now();
      const { sent, outcomes, waves, alone, markMs } = await publishAll(leader, rows, PUBLISH_CONCURRENCY);
      log.debug("outbox batch published", {
        rows: rows.length,
        sent,
        waves,
        alone,
        markMs: Math.round(markMs),
        fetchMs: Math.round(fetchedMs),
        publishMs: Math.round(performance.now() - publishing),
      });
      if (!sent && outcomes.includes("outage")) {
        outageFailures++;
        const backoff = outageBackoff();
        log.warn("outbox publishing failed; backing off", { failed: outcomes.length, backoffMs: backoff });
        await sleep(backoff);
      } else if (sent) {
        if (outageFailures) log.info("outbox publishing recovered", { afterFailures: outageFailures });
        outageFailures = 0;
      }
      await prune(leader);
    }
  }

  /** Rows that failed on their own: retried when due, beside the fresh lane, never in its way. */
  async function retryLane(leader: Sql): Promise<void> {
    while (active()) {
      const rows = await retryRows(leader, RETRY_CONCURRENCY * 4);
      if (rows.length) {
        await publishAll(leader, rows, RETRY_CONCURRENCY);
        continue;
      }
      const due = await msUntilNextDue(leader, true);
      await sleep(Math.min(options.pollMs, due ?? options.pollMs));
    }
  }

  async function prune(leader: Sql) {
    if (Date.now() - lastPrune < PRUNE_EVERY_MS) return;
    lastPrune = Date.now();
    const outbox = await leader`
      delete from outbox where seq in (
        select seq from outbox where sent_at < now() - make_interval(hours => ${options.retentionHours}) limit 10000)`;
    if (outbox.count) log.info("pruned", { outboxRows: outbox.count });
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
      // Both lanes run on the connection that holds the lock: if it is lost, both fail and stop,
      // and no second leader can publish beside them.
      lost = false;
      const lanes = [freshLane, retryLane].map((lane) =>
        lane(leader as unknown as Sql).catch((error) => {
          lost = true;
          wake();
          throw error;
        }),
      );
      const ended = await Promise.allSettled(lanes);
      const failure = ended.find((result) => result.status === "rejected");
      if (failure) throw (failure as PromiseRejectedResult).reason;
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
      if (!stopped) await sleep(options.pollMs);
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
