/**
 * Which slice of the suite this `bun test` process runs: `./nudge test` may run the suite as n
 * processes side by side (NUDGE_TEST_SHARDS), each started with NUDGE_TEST_SHARD=i/n. Each
 * process has its own infrastructure, control plane and database already; what the processes
 * would otherwise share — the port range, the log folder, build output — is split by the shard.
 */
export interface Shard {
  index: number;
  count: number;
}

export function parseShard(value: string | undefined): Shard | undefined {
  if (value === undefined || value === "") return undefined;
  const match = /^(\d+)\/(\d+)$/.exec(value);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count) {
    throw new Error(`NUDGE_TEST_SHARD must be i/n with 1 ≤ i ≤ n (got ${value})`);
  }
  return { index, count };
}

export const shard = parseShard(process.env.NUDGE_TEST_SHARD);

/** A folder name for what is this shard's own ("shard-2"), or undefined when the suite runs whole. */
export const shardFolder = shard && `shard-${shard.index}`;

/**
 * The shard's own slice of [lowest, highest]: the processes of one run pick ports at random and
 * check each with a bind, but between one process's check and its daprd's bind another process
 * could pick the same port. Disjoint slices make that impossible.
 */
export function portSlice(lowest: number, highest: number, of: Shard | undefined) {
  if (!of) return { lowest, highest };
  const size = Math.floor((highest - lowest + 1) / of.count);
  const first = lowest + (of.index - 1) * size;
  return { lowest: first, highest: of.index === of.count ? highest : first + size - 1 };
}
