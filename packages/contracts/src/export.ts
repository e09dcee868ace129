/** Writes every contract as a JSON Schema file under schemas/ (run: bun run export-schemas). */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { exportedSchemas } from "./registry.ts";

const dir = join(import.meta.dir, "..", "schemas");
mkdirSync(dir, { recursive: true });
for (const [name, schema] of Object.entries(exportedSchemas)) {
  await Bun.write(join(dir, `${name}.schema.json`), `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote schemas/${name}.schema.json`);
}
