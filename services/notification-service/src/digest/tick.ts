import type { JobsClient } from "@nudge/dapr";
import type { Logger } from "@nudge/service";
import type { Resend } from "resend";
import type { Sender } from "../email/headers.ts";
import { sendChunk } from "./send.ts";
import type { DigestStore } from "./store.ts";
import type { DigestSource } from "./task-api.ts";

/** The one Dapr job that drives every user's digest; its trigger arrives as POST /job/digest-tick. */
export const DIGEST_JOB = "digest-tick";
/** Users asked for per call while collecting due digests. */
const DUE_PAGE = 1000;
/** A chunk is given up on (recorded failed) after this many attempts. */
const MAX_ATTEMPTS = 10;

export interface DigestSettings {
  tickSchedule: string;
  batchSize: number;
  maxLatenessMs: number;
  leaseMs: number;
  /** Chunks in flight at once: their look-ups, renders and sends overlap. */
  parallelChunks: number;
}

export interface DigestDeps {
  store: DigestStore;
  source: DigestSource;
  resend: Resend;
  sender: Sender;
  settings: DigestSettings;
  log: Logger;
}

export interface TickReport {
  recorded: number;
  claimed: number;
  chunks: number;
  sent: number;
  empty: number;
  skipped: number;
  failed: number;
  retried: number;
  ms: number;
}

/**
 * One job for all users, not one per user: each tick (every minute by default) asks task-api for
 * every digest whose local time has come, records them (the exactly-once record), tells
 * task-api they are claimed, then sends the recorded ones chunk by chunk. Every step repeats
 * harmlessly, so a crash anywhere costs at most a repeat on the next tick, never a second email.
 */
export async function runDigestTick(deps: DigestDeps, now = new Date()): Promise<TickReport> {
  const started = performance.now();
  const report: TickReport = {
    recorded: 0,
    claimed: 0,
    chunks: 0,
    sent: 0,
    empty: 0,
    skipped: 0,
    failed: 0,
    retried: 0,
    ms: 0,
  };
  // 1. Collect: record what is due, then claim it at task-api (which moves each user on).
  for (;;) {
    const due = await deps.source.due(now, DUE_PAGE);
    if (!due.length) break;
    report.recorded += await deps.store.record(due, now, deps.settings.maxLatenessMs);
    report.claimed += (await deps.source.claimed(due.map(({ userId, day }) => ({ userId, day })))).advanced;
    if (due.length < DUE_PAGE) break;
  }
  // 2. Send: `parallelChunks` senders each take the next chunk until nothing due is left (the
  // claim skips rows another sender holds, so no digest is in two chunks).
  const sender = async () => {
    for (;;) {
      const rows = await deps.store.claimChunk(deps.settings.batchSize, deps.settings.leaseMs);
      if (!rows.length) return;
      report.chunks++;
      const chunkId = rows[0]?.chunk_id as string;
      try {
        if ((rows[0]?.attempts ?? 0) > MAX_ATTEMPTS) {
          await deps.store.finish(
            rows.map((row) => ({
              id: row.id,
              status: "failed" as const,
              reason: "gave up after repeated failures",
            })),
          );
          report.failed += rows.length;
          continue;
        }
        const result = await sendChunk(rows, deps);
        await deps.store.finish(result.outcomes);
        for (const outcome of result.outcomes) report[outcome.status]++;
        if (result.retry) {
          report.retried++;
          deps.log.warn("digest chunk will be retried", { chunkId, reason: result.retry });
          await deps.store.release(
            chunkId,
            result.retry,
            Math.min(60_000, 1000 * 2 ** (rows[0]?.attempts ?? 1)),
          );
        }
      } catch (error) {
        // task-api or the sidecar unavailable: the lease runs out and a later tick retries the chunk.
        report.retried++;
        deps.log.warn("digest chunk failed; retried on a later tick", { chunkId, error: String(error) });
        await deps.store.release(chunkId, String(error).slice(0, 500), 5_000).catch(() => {});
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: deps.settings.parallelChunks }, sender));
  report.ms = Math.round(performance.now() - started);
  return report;
}

/**
 * Runs ticks one at a time in this process: a trigger that arrives while one runs makes it run
 * once more when it ends (work that became due meanwhile is not left for a minute).
 */
export function digestTicker(deps: DigestDeps) {
  let running: Promise<void> | undefined;
  let again = false;
  const loop = async () => {
    do {
      again = false;
      try {
        const report = await runDigestTick(deps);
        if (report.recorded || report.chunks) deps.log.info("digest tick", { ...report });
      } catch (error) {
        deps.log.warn("digest tick failed; the next one picks up", { error: String(error) });
      }
    } while (again);
    running = undefined;
  };
  return {
    trigger(): "started" | "queued" {
      if (running) {
        again = true;
        return "queued";
      }
      running = loop();
      return "started";
    },
    /** Resolves when the tick in progress (if any) is done: shutdown waits for it. */
    idle: () => running ?? Promise.resolve(),
  };
}

/** (Re)schedules the tick job; called at every start, so a changed schedule takes effect. */
export async function scheduleDigestTick(jobs: JobsClient, schedule: string) {
  await jobs.schedule(DIGEST_JOB, {
    schedule,
    // A job without data cannot be delivered: daprd 1.18 fails every trigger with "proto:
    // google.protobuf.Value: none of the oneof fields is set" (seen in the digest test).
    data: { purpose: "send the daily digests that are due" },
    overwrite: true,
    // A missed trigger needs no retry: the next tick does the same work.
    failurePolicy: { drop: {} },
  });
}
