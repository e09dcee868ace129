import type { Sidecar } from "@nudge/dapr";
import type { Sql } from "@nudge/db";
import type { Logger } from "@nudge/service";
import type { Metrics } from "../observability/metrics.ts";
import { type PublishFailure, type PublishLimits, publishRow } from "./publish-row.ts";
import { publishWave } from "./publish-wave.ts";
import { isHealthy, judgeFailure, type Outcome, type RetryLimits, stepsOver } from "./retry-policy.ts";
import { markSent, type OutboxRow, park, recordFailure } from "./store.ts";

/** What publishing one batch did, for the relay's log line and its outage backoff. */
export interface BatchResult {
  sent: number;
  outcomes: Outcome[];
  waves: number;
  /** Rows a bulk call did not confirm, published one call each. */
  alone: number;
  markMs: number;
}

/**
 * Publishes batches of outbox rows and settles each failed row's fate (retry-policy.ts). It keeps
 * what the judgment of a failure needs: when a row last went out, and how many batches in a row
 * found publishing down.
 */
export class OutboxPublisher {
  /** Rows published since the relay started. */
  published = 0;
  #lastPublishedAt = 0;
  #outageFailures = 0;

  constructor(
    private readonly sidecar: Sidecar,
    private readonly limits: PublishLimits & RetryLimits,
    private readonly log: Logger,
    private readonly metrics?: Metrics,
  ) {}

  get outageFailures(): number {
    return this.#outageFailures;
  }

  /** One more batch found publishing down. */
  noteOutage(): void {
    this.#outageFailures++;
  }

  /** A batch got rows out: resolves to how many batches before it found publishing down. */
  noteRecovery(): number {
    const failures = this.#outageFailures;
    this.#outageFailures = 0;
    return failures;
  }

  /**
   * Publish rows in waves: wave n holds the n-th row of every task, so a task's rows go out
   * strictly in order while different tasks share bulk calls. What a wave's bulk calls do not
   * confirm is published alone (`concurrency` at a time) and judged there. A task whose row
   * failed stops (its later rows wait for it), except after a parked row, which is stepped over
   * (docs/decisions.md). Stops between waves once `active` turns false.
   */
  async publishBatch(
    leader: Sql,
    rows: OutboxRow[],
    concurrency: number,
    active: () => boolean,
  ): Promise<BatchResult> {
    const groups = new Map<string, OutboxRow[]>();
    for (const row of rows) groups.set(row.partition_key, [...(groups.get(row.partition_key) ?? []), row]);
    let tasks = [...groups.values()];
    const sent: string[] = [];
    const outcomes: Outcome[] = [];
    let waves = 0;
    let aloneCount = 0;
    while (tasks.length && active()) {
      waves++;
      const wave = tasks.map((task) => task[0] as OutboxRow);
      const confirmed = await publishWave(this.sidecar, wave, this.limits);
      if (confirmed.size) this.#lastPublishedAt = Date.now();
      const alone = wave.filter((row) => !confirmed.has(row));
      aloneCount += alone.length;
      const held = new Set<OutboxRow>();
      await Promise.all(
        Array.from({ length: Math.min(concurrency, alone.length) }, async () => {
          for (let row = alone.shift(); row; row = alone.shift()) {
            const outcome = await this.#publishAlone(leader, row);
            if (!outcome) confirmed.add(row);
            else {
              outcomes.push(outcome);
              if (!stepsOver(outcome)) held.add(row);
            }
          }
        }),
      );
      for (const row of confirmed) sent.push(row.id);
      tasks = tasks.filter((task) => !held.has(task[0] as OutboxRow)).map((task) => task.slice(1));
      tasks = tasks.filter((task) => task.length > 0);
    }
    const marking = performance.now();
    await markSent(leader, sent);
    const markMs = performance.now() - marking;
    this.published += sent.length;
    if (sent.length) this.#count("nudge_outbox_published_total", "Outbox rows published.", {}, sent.length);
    return { sent: sent.length, outcomes, waves, alone: aloneCount, markMs };
  }

  /** Publish one row alone; resolves to how its failure counts, undefined when it went out. */
  async #publishAlone(leader: Sql, row: OutboxRow): Promise<Outcome | undefined> {
    try {
      await publishRow(this.sidecar, row, this.limits);
      this.#lastPublishedAt = Date.now();
      return undefined;
    } catch (error) {
      const outcome = await this.#settle(leader, row, error as PublishFailure);
      this.#count(
        "nudge_outbox_publish_failures_total",
        "Failed publish attempts, by how they were judged.",
        {
          kind: outcome,
        },
      );
      return outcome;
    }
  }

  /** Park the failed row or schedule its next attempt, as the retry policy decides. */
  async #settle(leader: Sql, row: OutboxRow, failure: PublishFailure): Promise<Outcome> {
    const context = {
      healthy: isHealthy(this.#lastPublishedAt, Date.now()),
      outageFailures: this.#outageFailures,
    };
    const verdict = judgeFailure(failure, row.attempts, context, this.limits);
    if (verdict.action === "retry") {
      await recordFailure(leader, row.id, failure.message, verdict.inMs, verdict.counted);
      return verdict.outcome;
    }
    await park(leader, row.id, verdict.message, true);
    this.#count("nudge_outbox_parked_total", "Outbox rows parked, by reason.", { reason: verdict.why });
    const where = { id: row.id, topic: row.topic, partitionKey: row.partition_key.slice(0, 100) };
    if (verdict.why === "attempts")
      this.log.warn("outbox row parked after repeated failures (./nudge outbox list)", {
        ...where,
        attempts: verdict.attempts,
        reason: failure.message,
      });
    else
      this.log.warn("outbox row parked: it cannot be published (./nudge outbox list)", {
        ...where,
        reason: failure.message,
      });
    return verdict.outcome;
  }

  #count(name: string, help: string, labels: Record<string, string> = {}, by = 1) {
    this.metrics?.inc(name, help, labels, by);
  }
}
