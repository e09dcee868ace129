/**
 * Writes every contract as a JSON Schema file under schemas/ (`bun run export-schemas`), or with
 * --check verifies the files are current and exits 1 naming the stale ones (--dir DIR: elsewhere).
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { exportedSchemas } from "./registry.ts";

const dirFlag = process.argv.indexOf("--dir");
const dir = dirFlag > 0 ? (process.argv[dirFlag + 1] as string) : join(import.meta.dir, "..", "schemas");
const check = process.argv.includes("--check");
const stale: string[] = [];
mkdirSync(dir, { recursive: true });
for (const [name, schema] of Object.entries(exportedSchemas)) {
  const file = join(dir, `${name}.schema.json`);
  const text = `${JSON.stringify(schema, null, 2)}\n`;
  if (check) {
    let current = "";
    try {
      current = readFileSync(file, "utf8");
    } catch {}
    if (current !== text) stale.push(`schemas/${name}.schema.json`);
  } else {
    await Bun.write(file, text);
    console.log(`wrote schemas/${name}.schema.json`);
  }
}
if (stale.length) {
  console.error(`stale: ${stale.join(", ")} — run: bun run --cwd packages/contracts export-schemas`);
  process.exit(1);
}
