import type { Sidecar } from "@nudge/dapr";
import type { Sql } from "@nudge/db";
import type { Logger } from "@nudge/service";
import type { Metrics } from "../observability/metrics.ts";
import { OUTBOX_CHANNEL } from "./enqueue.ts";
import { type LaneOptions, RelayLanes } from "./lanes.ts";
import { OutboxPublisher } from "./publisher.ts";
import type { RetryLimits } from "./retry-policy.ts";
import { Wakeup } from "./wakeup.ts";

export interface RelayOptions extends LaneOptions, RetryLimits {
  schema: string;
  publishTimeoutMs: number;
  maxEventBytes: number;
}

export interface OutboxRelay {
  stop(): Promise<void>;
  readonly isLeader: boolean;
  readonly published: number;
}

/**
 * Publishes outbox rows through the Dapr pub/sub API, oldest first.
 * - One relay publishes at a time: the replica holding a session advisory lock is the leader,
 *   the others stand by, so events of one task are never published out of order or twice by
 *   racing replicas. The lock dies with its connection, so a crashed leader is replaced.
 * - It wakes on NOTIFY (sent by the writing transaction on commit) and polls as a fallback.
 * - Rows of one task (partition key) go out strictly in order; different tasks together, in
 *   bulk calls (publish-wave.ts), with one call per row only where a bulk call did not confirm.
 * - A row the sidecar refuses (4xx), or that could never be delivered, is parked at once. Any
 *   other failure is judged in context (retry-policy.ts; docs/services.md, "The outbox relay"):
 *   when nothing else has been published lately it is taken for an outage — the row waits
 *   uncounted, the relay backs off; otherwise it is the row's own — retried with backoff on a
 *   lane of its own (lanes.ts) and parked after `maxAttempts`. While a row is retried its task's
 *   later rows wait behind it; no other task's rows do.
 */
export function startOutboxRelay(
  sql: Sql,
  sidecar: Sidecar,
  options: RelayOptions,
  log: Logger,
  metrics?: Metrics,
): OutboxRelay {
  return new Relay(sql, sidecar, options, log, metrics);
}

/** The leadership loop: try for the lock, run both lanes while it is held, try again when lost. */
class Relay implements OutboxRelay {
  #stopped = false;
  #isLeader = false;
  /** Set when a lane of the current leadership failed (its connection is gone): the other stops too. */
  #lost = false;
  readonly #lockKey: string;
  readonly #wakeup = new Wakeup(() => this.#active());
  readonly #publisher: OutboxPublisher;
  readonly #lanes: RelayLanes;
  readonly #listening: Promise<{ unlisten(): Promise<void> } | undefined>;
  readonly #running: Promise<void>;

  constructor(
    private readonly sql: Sql,
    sidecar: Sidecar,
    private readonly options: RelayOptions,
    private readonly log: Logger,
    metrics?: Metrics,
  ) {
    this.#lockKey = `nudge-outbox-relay:${options.schema}`;
    const limits = {
      maxEventBytes: options.maxEventBytes,
      timeoutMs: options.publishTimeoutMs,
      maxAttempts: options.maxAttempts,
      retryMaxMs: options.retryMaxMs,
    };
    this.#publisher = new OutboxPublisher(sidecar, limits, log, metrics);
    this.#lanes = new RelayLanes(this.#publisher, this.#wakeup, options, log, () => this.#active());
    this.#listening = sql
      .listen(OUTBOX_CHANNEL, () => this.#wakeup.wake())
      .catch((error) => {
        log.warn("outbox relay could not LISTEN; falling back to polling", { error: String(error) });
        return undefined;
      });
    this.#running = this.#run();
  }

  get isLeader(): boolean {
    return this.#isLeader;
  }

  get published(): number {
    return this.#publisher.published;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wakeup.wake();
    await this.#running;
    await (await this.#listening)?.unlisten();
  }

  #active(): boolean {
    return !this.#stopped && !this.#lost;
  }

  async #run() {
    while (!this.#stopped) {
      try {
        await this.#lead();
      } catch (error) {
        this.log.warn("outbox relay lost its connection; retrying", { error: String(error) });
      }
      if (!this.#stopped) await this.#wakeup.pause(this.options.pollMs);
    }
  }

  async #lead() {
    const leader = await this.sql.reserve();
    try {
      const [row] = await leader<
        { locked: boolean }[]
      >`select pg_try_advisory_lock(hashtext(${this.#lockKey})) as locked`;
      if (!row?.locked) return;
      this.#isLeader = true;
      this.log.info("outbox relay is the leader");
      // Both lanes run on the connection that holds the lock: if it is lost, both fail and stop,
      // and no second leader can publish beside them.
      const connection = leader as unknown as Sql;
      const lanes = [this.#lanes.fresh(connection), this.#lanes.retry(connection)].map((lane) =>
        lane.catch((error) => {
          this.#lost = true;
          this.#wakeup.wake();
          throw error;
        }),
      );
      const ended = await Promise.allSettled(lanes);
      const failure = ended.find((result) => result.status === "rejected");
      if (failure) throw (failure as PromiseRejectedResult).reason;
      await leader`select pg_advisory_unlock(hashtext(${this.#lockKey}))`;
    } finally {
      // The leadership is over; the pause before the next try for the lease must not end at once.
      this.#lost = false;
      this.#isLeader = false;
      leader.release();
    }
  }
}
