/**
 * `bun run bench <name> [options]` runs the benchmark scripts/bench/<name>.ts.
 * Benchmarks live apart from the tests and print numbers, never pass/fail; each exports run(args).
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";

interface Benchmark {
  run(args: string[]): Promise<void>;
}

const BENCH_DIR = join(import.meta.dir, "bench");

async function benchmarkNames(): Promise<string[]> {
  const files = await readdir(BENCH_DIR);
  return files.filter((file) => file.endsWith(".ts")).map((file) => file.slice(0, -".ts".length));
}

const [name, ...args] = process.argv.slice(2);
const names = (await benchmarkNames()).sort();
if (!name || !names.includes(name)) {
  if (name) console.error(`bench: no benchmark named ${JSON.stringify(name)}`);
  console.error(`usage: bun run bench <name> [options]   (<name> --help lists its options)`);
  console.error(`benchmarks: ${names.join(", ")}`);
  process.exit(2);
}
const benchmark = (await import(join(BENCH_DIR, `${name}.ts`))) as Benchmark;
await benchmark.run(args);
// A pooled connection or keep-alive socket left behind must not keep a finished run waiting.
process.exit(0);
