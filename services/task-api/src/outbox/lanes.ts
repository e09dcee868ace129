import type { Sql } from "@nudge/db";
import type { Logger } from "@nudge/service";
import type { OutboxPublisher } from "./publisher.ts";
import { outageBackoffMs } from "./retry-policy.ts";
import { freshRows, msUntilNextDue, pruneSent, retryRows } from "./store.ts";
import type { Wakeup } from "./wakeup.ts";

const PUBLISH_CONCURRENCY = 16;
/** Retries run beside new rows, never in their place: a few workers of their own. */
const RETRY_CONCURRENCY = 4;
const PRUNE_EVERY_MS = 10 * 60_000;

export interface LaneOptions {
  batchSize: number;
  pollMs: number;
  retentionHours: number;
}

/**
 * The two loops a leader runs on its locked connection, until `active` turns false:
 * - the fresh lane takes new rows in commit order, a batch at a time, waits for NOTIFY (or the
 *   poll, or the next row falling due) when there are none, backs off while publishing is down,
 *   and prunes sent rows now and then;
 * - the retry lane publishes rows that failed on their own once their retry is due, beside the
 *   fresh lane and never in its way.
 */
export class RelayLanes {
  #lastPrunedAt = 0;

  constructor(
    private readonly publisher: OutboxPublisher,
    private readonly wakeup: Wakeup,
    private readonly options: LaneOptions,
    private readonly log: Logger,
    private readonly active: () => boolean,
  ) {}

  /** New rows, in commit order. */
  async fresh(leader: Sql): Promise<void> {
    while (this.active()) {
      const fetching = performance.now();
      const rows = await freshRows(leader, this.options.batchSize);
      const fetchedMs = performance.now() - fetching;
      if (!rows.length) {
        const due = await msUntilNextDue(leader, false);
        await this.wakeup.idle(Math.min(this.options.pollMs, due ?? this.options.pollMs));
        await this.#pruneSent(leader);
        continue;
      }
      const publishing = performance.now();
      const result = await this.publisher.publishBatch(leader, rows, PUBLISH_CONCURRENCY, this.active);
      const { sent, outcomes, waves, alone, markMs } = result;
      this.log.debug("outbox batch published", {
        rows: rows.length,
        sent,
        waves,
        alone,
        markMs: Math.round(markMs),
        fetchMs: Math.round(fetchedMs),
        publishMs: Math.round(performance.now() - publishing),
      });
      if (!sent && outcomes.includes("outage")) {
        this.publisher.noteOutage();
        const backoff = outageBackoffMs(this.publisher.outageFailures);
        this.log.warn("outbox publishing failed; backing off", {
          failed: outcomes.length,
          backoffMs: backoff,
        });
        await this.wakeup.pause(backoff);
      } else if (sent) {
        const afterFailures = this.publisher.noteRecovery();
        if (afterFailures) this.log.info("outbox publishing recovered", { afterFailures });
      }
      await this.#pruneSent(leader);
    }
  }

  /** Rows that failed on their own, when their retry is due. */
  async retry(leader: Sql): Promise<void> {
    while (this.active()) {
      const rows = await retryRows(leader, RETRY_CONCURRENCY * 4);
      if (rows.length) {
        await this.publisher.publishBatch(leader, rows, RETRY_CONCURRENCY, this.active);
        continue;
      }
      const due = await msUntilNextDue(leader, true);
      await this.wakeup.pause(Math.min(this.options.pollMs, due ?? this.options.pollMs));
    }
  }

  async #pruneSent(leader: Sql) {
    if (Date.now() - this.#lastPrunedAt < PRUNE_EVERY_MS) return;
    this.#lastPrunedAt = Date.now();
    const outboxRows = await pruneSent(leader, this.options.retentionHours);
    if (outboxRows) this.log.info("pruned", { outboxRows });
  }
}
