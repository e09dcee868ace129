import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { exportedSchemas } from "./registry.ts";

describe("published JSON Schemas", () => {
  test.each(Object.keys(exportedSchemas))("schemas/%s.schema.json matches its TypeBox source", (name) => {
    const file = join(import.meta.dir, "..", "schemas", `${name}.schema.json`);
    const published = JSON.parse(readFileSync(file, "utf8"));
    // A stale file means consumers read an old contract: re-run `bun run export-schemas`.
    expect(published).toEqual(
      JSON.parse(JSON.stringify(exportedSchemas[name as keyof typeof exportedSchemas])),
    );
  });
});
