import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const SRC = import.meta.dir;
const folders = readdirSync(SRC, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

/** The first-level folders of src/ that `folder`'s files import from (type imports too). */
function importsOf(folder: string): Set<string> {
  const used = new Set<string>();
  for (const file of readdirSync(join(SRC, folder)).filter((name) => name.endsWith(".ts"))) {
    const source = readFileSync(join(SRC, folder, file), "utf8");
    for (const [, target] of source.matchAll(/from "\.\.\/([^/"]+)\//g))
      if (target && target !== folder) used.add(target);
  }
  return used;
}

test("no two folders of src/ import each other", () => {
  const imports = new Map(folders.map((folder) => [folder, importsOf(folder)]));
  const circles = folders.flatMap((a) =>
    [...(imports.get(a) ?? [])].filter((b) => a < b && imports.get(b)?.has(a)).map((b) => `${a} ⇄ ${b}`),
  );
  expect(circles).toEqual([]);
});
