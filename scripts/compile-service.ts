/**
 * One service → one self-contained executable (`bun build --compile`): the Bun runtime, the
 * bundled code of src/bin.ts and the service's migrations/ folder as an embedded asset.
 * The Dockerfile and tests/deploy run exactly this, so what the tests start is what the image runs.
 *
 *   bun scripts/compile-service.ts SERVICE OUTFILE [--target bun-linux-arm64]
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

export interface CompileOptions {
  service: string;
  outfile: string;
  /** A Bun compile target such as `bun-linux-arm64`; the running platform when absent. */
  target?: Bun.Build.CompileTarget;
}

export const repoRoot = resolve(import.meta.dir, "..");

/**
 * A service's entry is services/<name>/src/bin.ts. Development helpers that also run in a
 * cluster (packages/mail-capture: the minikube capture inbox) are built from their src/main.ts.
 */
export function entryOf(name: string): { dir: string; entry: string } {
  const service = join(repoRoot, "services", name);
  if (existsSync(service)) return { dir: service, entry: join(service, "src", "bin.ts") };
  const helper = join(repoRoot, "packages", name);
  return { dir: helper, entry: join(helper, "src", "main.ts") };
}

export async function compileService({ service, outfile, target }: CompileOptions): Promise<void> {
  const { dir, entry } = entryOf(service);
  if (!existsSync(entry)) throw new Error(`${entry} does not exist: every service needs a src/bin.ts entry`);
  // Assets keep their path relative to the working directory, so build from the service folder:
  // migrations/ then sits at /$bunfs/root/migrations inside the executable.
  const previous = process.cwd();
  process.chdir(dir);
  try {
    const result = await Bun.build({
      entrypoints: [entry],
      // keepNames: Dapr Workflow registers workflows and activities under their function names,
      // which minification (or the bundler's renaming) would otherwise change. Identifiers stay
      // too, so production stack traces read like the source.
      minify: { whitespace: true, syntax: true, identifiers: false, keepNames: true },
      sourcemap: "inline",
      compile: {
        ...(target ? { target } : {}),
        outfile: resolve(previous, outfile),
        assets: existsSync(join(dir, "migrations")) ? ["migrations"] : [],
        // The image's behaviour comes from its environment only, never from a stray file in
        // the working directory.
        autoloadDotenv: false,
        autoloadBunfig: false,
      },
    });
    if (!result.success) throw new AggregateError(result.logs, `compiling ${service} failed`);
  } finally {
    process.chdir(previous);
  }
}

if (import.meta.main) {
  const [service, outfile, flag, target] = process.argv.slice(2);
  if (!service || !outfile || (flag && flag !== "--target")) {
    console.error(
      "usage: bun scripts/compile-service.ts SERVICE OUTFILE [--target bun-linux-x64|bun-linux-arm64]",
    );
    process.exit(2);
  }
  const started = performance.now();
  await compileService({ service, outfile, target: target as Bun.Build.CompileTarget | undefined });
  const size = Bun.file(outfile).size;
  console.log(
    `${service}: ${outfile} (${(size / 2 ** 20).toFixed(1)} MiB) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}
