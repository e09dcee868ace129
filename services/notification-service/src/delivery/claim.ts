import type { Sql } from "@nudge/db";
import { planChunks } from "./chunks.ts";

export interface ClaimInput {
  instanceId: string;
  bucket: number;
  shard: number;
  page: number;
  /** The number the page's first chunk gets (chunks are numbered across pages). */
  firstChunk: number;
  pageSize: number;
  chunkSize: number;
  chunkSpanMs: number;
  /** Absent in claims of workflows started before the gap existed: the span alone then. */
  chunkGapMs?: number;
}

/** What the workflow history records of a claim: counts, the ids stay in the database. */
export interface ClaimResult {
  claimed: number;
  chunks: number;
}

/**
 * Claim up to a page of the bucket's armed occurrences, earliest first, and cut them into
 * chunks, all recorded under (instance, page, chunk). Idempotent: run again for the same page
 * (the workflow engine re-runs an activity whose result it did not record), it returns what the
 * first run claimed instead of claiming more. Rows are locked, not skipped, so a concurrent
 * cancellation is waited for and a page shorter than asked really means the bucket is empty.
 */
export async function claimPage(sql: Sql, input: ClaimInput): Promise<ClaimResult> {
  return sql.begin(async (tx) => {
    const [earlier] = await tx<{ claimed: number; chunks: number }[]>`
      select count(*)::int as claimed, count(distinct chunk)::int as chunks from occurrences
      where claimed_by = ${input.instanceId} and claim_page = ${input.page}`;
    if (earlier && earlier.claimed > 0) return earlier;
    const rows = await tx<{ delivery_id: string; due_at: Date }[]>`
      select delivery_id, due_at from occurrences
      where bucket = ${input.bucket} and shard = ${input.shard} and state = 'armed'
      order by due_at, delivery_id
      limit ${input.pageSize}
      for update`;
    if (rows.length === 0) return { claimed: 0, chunks: 0 };
    const plan = planChunks(
      rows.map((row) => row.due_at.getTime()),
      { size: input.chunkSize, spanMs: input.chunkSpanMs, gapMs: input.chunkGapMs ?? input.chunkSpanMs },
      input.firstChunk,
    );
    await tx`
      update occurrences o set state = 'claimed', claimed_by = ${input.instanceId}, claim_page = ${input.page},
        chunk = v.chunk, updated_at = now()
      from unnest(${rows.map((row) => row.delivery_id)}::text[], ${plan.chunkOf}::int[]) as v(delivery_id, chunk)
      where o.delivery_id = v.delivery_id`;
    return { claimed: rows.length, chunks: plan.chunks };
  });
}
