import { existsSync, mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { shardFolder } from "./shard.ts";

export const repoRoot = resolve(import.meta.dir, "../../..");
export const cacheDir = process.env.NUDGE_CACHE ?? join(repoRoot, ".cache");
/** One folder per shard when the suite runs as parallel processes: their daprd logs share names. */
export const testLogDir = join(cacheDir, "logs", "test", ...(shardFolder ? [shardFolder] : []));
mkdirSync(testLogDir, { recursive: true });

/** Dapr binaries in the `dapr init` layout: DAPR_BIN_DIR, ./nudge's cache, or ~/.dapr/bin. */
export function daprBinDir(): string {
  const candidates = [
    process.env.DAPR_BIN_DIR,
    join(cacheDir, ".dapr", "bin"),
    join(homedir(), ".dapr", "bin"),
  ];
  for (const dir of candidates) {
    if (dir && ["daprd", "placement", "scheduler", "sentry"].every((bin) => existsSync(join(dir, bin))))
      return dir;
  }
  throw new Error(
    `Dapr runtime not found (looked in ${candidates.filter(Boolean).join(", ")}): run ./nudge up --infra, which builds daprd/placement/scheduler/sentry`,
  );
}
