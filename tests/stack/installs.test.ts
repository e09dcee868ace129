import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { delimiter, join } from "node:path";
import { repoRoot } from "@nudge/testing";
import { cacheDir } from "../../packages/testing/src/paths.ts";

/**
 * A brand-new machine: two ./nudge commands reach the same one-time installs at the same moment
 * (.ci/run starts the cluster beside the suite), in an empty cache folder. Each install must run
 * once, the other command must wait for it and use the result, and a half-finished install that
 * a killed process left behind must be redone, not trusted.
 *
 * Only the download caches (npm's, Maven's, pip's, Go's modules and build cache) are shared with
 * the suite's cache, so the test costs seconds of copying instead of minutes of downloads: the
 * install folders, their stamps and their locks are all new.
 */
const INSTALL_TIMEOUT_MS = 600_000;
const root = mkdtempSync(join(cacheDir, "test-resources-installs-"));
const cache = join(root, "cache");
/**
 * What the two commands install, and the name each install is recorded under: a download from
 * npm, one from Maven Central, Go builds and files made from a PyPI wheel. The Python venvs, the
 * Dapr build and Chromium take the same path (install_once), at minutes each.
 */
const TOOLS = ["bun", "kafka", "k8s-tools"];
const INSTALLS = [
  "bun",
  "kafka",
  "go-tool-kustomize",
  "go-tool-kubeconform",
  "go-tool-actionlint",
  "schemas-kubernetes",
  "schemas-dapr",
];

interface Run {
  code: number;
  output: string;
}
let runs: Run[] = [];

/** PATH without any bun of its own, so the commands must install Bun into the new cache. */
function pathWithoutBun(): string {
  return (process.env.PATH ?? "")
    .split(delimiter)
    .filter((dir) => dir && !existsSync(join(dir, "bun")))
    .join(delimiter);
}

async function nudgeTools(tools: string[]): Promise<Run> {
  const child = Bun.spawn([join(repoRoot, "nudge"), "tools", ...tools], {
    cwd: repoRoot,
    env: { ...process.env, PATH: pathWithoutBun(), NUDGE_CACHE: cache },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [code, out, err] = await Promise.all([
    child.exited,
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  return { code, output: out + err };
}

function installsLog(): string[] {
  const file = join(cache, "logs", "installs.log");
  return existsSync(file) ? readFileSync(file, "utf8").trim().split("\n") : [];
}

beforeAll(async () => {
  mkdirSync(cache, { recursive: true });
  for (const download of ["npm", "m2", "pip", "go"]) {
    mkdirSync(join(cacheDir, download), { recursive: true });
    symlinkSync(join(cacheDir, download), join(cache, download));
  }
  // What an npm install killed halfway leaves: a bun that runs and answers the right version,
  // but no stamp.
  const halfDone = join(cache, "tools", "bun", "node_modules", ".bin");
  mkdirSync(halfDone, { recursive: true });
  writeFileSync(join(halfDone, "bun"), `#!/bin/sh\necho ${Bun.version}\n`);
  chmodSync(join(halfDone, "bun"), 0o755);
  // The same tools, asked for in opposite orders, so each waits on the other at some point.
  runs = await Promise.all([nudgeTools(TOOLS), nudgeTools([...TOOLS].reverse())]);
  console.log(`installs (${cache}/logs/installs.log):\n  ${installsLog().join("\n  ")}`);
}, INSTALL_TIMEOUT_MS);

afterAll(() => rmSync(root, { recursive: true, force: true }), 60_000);

describe("two ./nudge commands installing into one empty cache at once", () => {
  test("both succeed", () => {
    for (const run of runs) {
      if (run.code !== 0) console.error(run.output);
      expect(run.code).toBe(0);
    }
  });

  test("each tool is installed exactly once", () => {
    const log = installsLog();
    for (const install of INSTALLS) {
      const lines = log.filter((line) => line.includes(` ${install} (`));
      expect({ install, times: lines.length }).toEqual({ install, times: 1 });
    }
  });

  test("one command waits for the other's install instead of starting its own", () => {
    expect(runs.map((run) => run.output).join("\n")).toContain("another ./nudge command is installing it");
  });

  test("a half-finished install without its stamp is redone: the real Bun replaces it", async () => {
    const bun = join(cache, "tools", "bun", "node_modules", ".bin", "bun");
    expect(readFileSync(join(cache, "tools", "bun", ".nudge-installed"), "utf8").trim()).toBe(Bun.version);
    expect(readFileSync(bun).subarray(0, 2).toString()).not.toBe("#!");
    const version = Bun.spawnSync([bun, "--version"]).stdout.toString().trim();
    expect(version).toBe(Bun.version);
  });

  test(
    "a later command finds everything installed and installs nothing",
    async () => {
      const before = installsLog().length;
      const again = await nudgeTools(TOOLS);
      expect(again.code).toBe(0);
      expect(installsLog().length).toBe(before);
    },
    INSTALL_TIMEOUT_MS,
  );
});
