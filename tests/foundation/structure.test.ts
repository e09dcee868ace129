import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildImportGraph, findCycles, findFolderLoops, lineCount } from "../../scripts/structure/imports.ts";

// The shape a newcomer relies on: imports go one way, the folders of a service or package do not
// lean on each other in both directions, and every file can be read in one sitting.
const ROOT = join(import.meta.dir, "../..");
const MAX_LINES = 300;

/** Data tables: long because they are lists, not because they do two things. */
const LONG_TABLES: Record<string, string> = {
  // Every IANA zone both Bun and PostgreSQL know, one per line.
  "packages/contracts/src/time-zones.ts": "time zone list",
  // The recurrence engine's case table: one rule, one start, one expected instant per entry.
  "packages/recurrence/src/cases.ts": "recurrence case table",
};

const { graph, unresolved } = buildImportGraph(ROOT);

/** One problem per line, so a failure reads as a list of files to fix. */
const report = (problems: string[]) => (problems.length ? `\n${problems.join("\n")}\n` : "");

describe("source structure (services/*/src, packages/*/src)", () => {
  test("every relative and workspace import names a file that exists", () => {
    expect(report(unresolved.map(({ file, specifier }) => `${file} imports ${specifier}`))).toBe("");
  });

  test("no file reaches itself through its imports", () => {
    expect(report(findCycles(graph).map((cycle) => `import circle: ${cycle.join(" → ")}`))).toBe("");
  });

  test("no two folders of a service or package import each other (files directly in src/ wire them)", () => {
    const loops = findFolderLoops(graph).map(
      ({ root, folders, because }) =>
        `folder loop in ${root}: ${folders.join(" → ")}, because\n${because
          .flat()
          .map((edge) => `    ${edge}`)
          .join("\n")}`,
    );
    expect(report(loops)).toBe("");
  });

  test(`no source file is longer than ${MAX_LINES} lines, data tables apart`, () => {
    const sizes = [...graph.keys()]
      .map((file) => ({ file, lines: lineCount(readFileSync(join(ROOT, file), "utf8")) }))
      .sort((a, b) => b.lines - a.lines);
    console.log(
      `largest source files:\n${sizes
        .slice(0, 8)
        .map(
          ({ file, lines }) =>
            `  ${String(lines).padStart(4)}  ${file}${LONG_TABLES[file] ? " (table)" : ""}`,
        )
        .join("\n")}`,
    );
    const tooLong = sizes
      .filter(({ file, lines }) => lines > MAX_LINES && !LONG_TABLES[file])
      .map(({ file, lines }) => `${file}: ${lines} lines (at most ${MAX_LINES})`);
    expect(report(tooLong)).toBe("");
  });

  test("every data table allowed to be long still exists", () => {
    expect(report(Object.keys(LONG_TABLES).filter((file) => !graph.has(file)))).toBe("");
  });
});
