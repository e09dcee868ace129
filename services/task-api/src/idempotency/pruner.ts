import type { Sql } from "@nudge/db";
import type { Logger } from "@nudge/service";

/** How often expired keys are deleted: they are only taken over after 24 h anyway (store.ts). */
export const PRUNE_EVERY_MS = 10 * 60_000;

export interface IdempotencyPruner {
  stop(): Promise<void>;
}

/**
 * Delete Idempotency-Keys older than their 24-hour window. One replica prunes at a time (a
 * transaction advisory lock): the others skip that round instead of deleting the same rows.
 * Resolves to the number of keys deleted, or undefined when another replica holds the lock.
 */
export async function pruneExpiredKeys(sql: Sql, schema: string): Promise<number | undefined> {
  return sql.begin(async (tx) => {
    const [lock] = await tx<{ locked: boolean }[]>`
      select pg_try_advisory_xact_lock(hashtext(${`nudge-idempotency-prune:${schema}`})) as locked`;
    if (!lock?.locked) return undefined;
    const keys = await tx`delete from idempotency_keys where created_at < now() - interval '24 hours'`;
    return keys.count;
  });
}

/** Prune expired keys now and every `everyMs` until stopped; a failed round is retried next time. */
export function startIdempotencyPruner(
  sql: Sql,
  schema: string,
  log: Logger,
  everyMs = PRUNE_EVERY_MS,
): IdempotencyPruner {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let round: Promise<void> = Promise.resolve();

  const prune = async () => {
    try {
      const deleted = await pruneExpiredKeys(sql, schema);
      if (deleted) log.info("pruned", { idempotencyKeys: deleted });
    } catch (error) {
      log.warn("expired idempotency keys could not be pruned; trying again later", { error: String(error) });
    }
  };
  const next = () => {
    round = prune().then(() => {
      if (!stopped) timer = setTimeout(next, everyMs);
    });
  };
  next();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await round;
    },
  };
}
