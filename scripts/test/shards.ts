/**
 * `./nudge test` with NUDGE_TEST_SHARDS=n > 1: the suite as n `bun test --shard=i/n` processes
 * side by side. The suite mostly waits on real processes (sidecars, brokers, timers), so on a
 * small machine n processes finish in well under the serial time. Each shard is a whole run of
 * its own — its own Testcontainers, Dapr control plane and database (packages/testing), its own
 * port slice, log folder and build output (NUDGE_TEST_SHARD, packages/testing/src/shard.ts) —
 * and the shards cut the file list by the per-file durations in tests/timings.json, so they end
 * close together. Each shard's output goes to its log and, once it ends, to stdout in one piece;
 * the summary at the end adds up the counts and names every failed test with its file.
 *
 *   bun scripts/test/shards.ts N [bun test arguments…]
 */
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join, resolve } from "node:path";
import { readShardOutput, runProblems, type ShardReport, summary } from "./report.ts";

const root = resolve(import.meta.dir, "../..");
const cache = process.env.NUDGE_CACHE ?? join(root, ".cache");
const timings = join(root, "tests", "timings.json");
const count = Number(process.argv[2]);
const args = process.argv.slice(3);
if (!Number.isInteger(count) || count < 2) {
  console.error("usage: bun scripts/test/shards.ts N [bun test arguments…] (N ≥ 2)");
  process.exit(2);
}

const started = performance.now();
const seconds = () => (performance.now() - started) / 1000;
const say = (text: string) => console.error(`\x1b[1m[nudge] test:\x1b[0m ${text}`);

const shards = Array.from({ length: count }, (_, i) => {
  const index = i + 1;
  const dir = join(cache, "logs", "test", `shard-${index}`);
  rmSync(dir, { recursive: true, force: true }); // this run's logs only
  mkdirSync(dir, { recursive: true });
  // Every shard reads an identical copy (they must cut the same list); each writes back what it measured.
  const shardTimings = join(dir, "timings.json");
  if (existsSync(timings)) copyFileSync(timings, shardTimings);
  else writeFileSync(shardTimings, JSON.stringify({ version: 1, files: {} }));
  const log = join(dir, "bun-test.log");
  const out = openSync(log, "w");
  const child = Bun.spawn(
    [
      process.execPath,
      "test",
      `--shard=${index}/${count}`,
      `--timings=${shardTimings}`,
      "--update-timings",
      ...args,
    ],
    { cwd: root, env: { ...process.env, NUDGE_TEST_SHARD: `${index}/${count}` }, stdout: out, stderr: out },
  );
  closeSync(out);
  return { index, dir, log, shardTimings, child, seconds: 0 };
});
say(`${count} shards side by side; logs in ${join(cache, "logs", "test")}/shard-*/bun-test.log`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    for (const shard of shards) shard.child.kill(signal);
  });
}

// Progress while the shards run: files done and failures so far, per shard.
const progress = setInterval(() => {
  const states = shards.map((shard) => {
    const report = readShardOutput(shard.index, readFileSync(shard.log, "utf8"));
    const failed = report.failures.length ? `, ${report.failures.length} failed` : "";
    const state = shard.seconds ? "done" : `${report.files.length}/${report.selected?.files ?? "?"} files`;
    return `${shard.index}: ${state}${failed}`;
  });
  say(`${Math.round(seconds())}s — ${states.join(" · ")}`);
}, 60_000);

const exitCodes = await Promise.all(
  shards.map(async (shard) => {
    const code = await shard.child.exited;
    shard.seconds = seconds();
    // One shard's output in one piece, as a serial run prints it.
    process.stdout.write(readFileSync(shard.log, "utf8"));
    say(`shard ${shard.index}/${count} ended after ${Math.round(shard.seconds)}s with exit code ${code}`);
    return code;
  }),
);
clearInterval(progress);

const reports: ShardReport[] = shards.map((shard) =>
  readShardOutput(shard.index, readFileSync(shard.log, "utf8")),
);
const problems = runProblems(reports, exitCodes);
for (const [i, shard] of shards.entries()) {
  const r = reports[i] as ShardReport;
  say(
    `shard ${shard.index}/${count}: ${r.files.length} files, ${r.pass} pass, ${r.fail} fail in ${Math.round(shard.seconds)}s (${shard.log})`,
  );
}
writeMeasuredTimings(reports);
console.log(`\n${summary(reports, problems, seconds())}`);
process.exit(exitCodes.every((code) => code === 0) && problems.length === 0 ? 0 : 1);

/** What each shard measured for its own files, in one file: copied to tests/timings.json, it rebalances the shards. */
function writeMeasuredTimings(reports: ShardReport[]) {
  const files: Record<string, number> = {};
  for (const [i, shard] of shards.entries()) {
    const measured = JSON.parse(readFileSync(shard.shardTimings, "utf8")) as {
      files: Record<string, number>;
    };
    for (const file of reports[i]?.files ?? []) {
      const ms = measured.files[file];
      if (ms !== undefined) files[file] = ms;
    }
  }
  const sorted = Object.fromEntries(Object.entries(files).sort(([a], [b]) => a.localeCompare(b)));
  const path = join(cache, "logs", "test", "timings.json");
  writeFileSync(path, `${JSON.stringify({ version: 1, files: sorted }, null, 2)}\n`);
  say(`per-file durations of this run: ${path} (copy it to tests/timings.json to rebalance the shards)`);
}
