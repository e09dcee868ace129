import { type BulkEntry, publishEventsEach, type Sidecar } from "@nudge/dapr";
import { type PublishLimits, prepareRow } from "./publish-row.ts";
import type { OutboxRow } from "./store.ts";

/** Entries per bulk call: one Kafka producer batch each, well under the broker's request size. */
export const BULK_ENTRIES = 100;

/**
 * Publish a wave — at most one row per task, so order within a task cannot be at stake — in a
 * few bulk calls (one per topic and hundred rows) instead of a call per row. Resolves to the
 * rows the sidecar confirmed. Every other row (refused as invalid before sending, reported
 * failed, or in a call that failed as a whole) is left for the caller to publish alone, which
 * judges its failure as before: the bulk path only ever makes publishing faster, never decides
 * a row's fate.
 */
export async function publishWave(
  sidecar: Sidecar,
  wave: OutboxRow[],
  limits: PublishLimits,
): Promise<Set<OutboxRow>> {
  const byTopic = new Map<string, Array<{ row: OutboxRow; entry: BulkEntry }>>();
  for (const row of wave) {
    let entry: BulkEntry;
    try {
      entry = { event: prepareRow(row, limits), partitionKey: row.partition_key };
    } catch {
      continue;
    }
    const list = byTopic.get(row.topic) ?? [];
    list.push({ row, entry });
    byTopic.set(row.topic, list);
  }
  const calls: Array<Array<{ row: OutboxRow; entry: BulkEntry }>> = [];
  for (const list of byTopic.values()) {
    for (let i = 0; i < list.length; i += BULK_ENTRIES) calls.push(list.slice(i, i + BULK_ENTRIES));
  }
  const confirmed = new Set<OutboxRow>();
  await Promise.all(
    calls.map(async (call) => {
      const topic = call[0]?.row.topic as string;
      try {
        const failed = new Set(
          await publishEventsEach(
            sidecar,
            topic,
            call.map((c) => c.entry),
            { signal: AbortSignal.timeout(limits.timeoutMs) },
          ),
        );
        call.forEach((c, i) => {
          if (!failed.has(i)) confirmed.add(c.row);
        });
      } catch {
        // Nothing confirmed: each row is published alone and judged there.
      }
    }),
  );
  return confirmed;
}
