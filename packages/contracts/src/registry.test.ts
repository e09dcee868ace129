import { describe, expect, test } from "bun:test";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

describe("published JSON Schemas", () => {
  // Checked in a process of its own: web frameworks in the test process may annotate the shared
  // schema objects when they compile routes, and the files must match the pristine sources.
  test("every file under schemas/ matches its TypeBox source", async () => {
    const run = Bun.spawn([process.execPath, join(import.meta.dir, "export.ts"), "--check"], {
      stderr: "pipe",
    });
    const [code, stderr] = [await run.exited, await new Response(run.stderr).text()];
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });

  test("a stale file is reported by name", async () => {
    const copy = mkdtempSync(join(tmpdir(), "schemas-"));
    cpSync(join(import.meta.dir, "..", "schemas"), copy, { recursive: true });
    const file = join(copy, "Tag.schema.json");
    await Bun.write(file, (await Bun.file(file).text()).replace('"Tag"', '"Label"'));
    const run = Bun.spawn([process.execPath, join(import.meta.dir, "export.ts"), "--check", "--dir", copy], {
      stderr: "pipe",
    });
    expect(await run.exited).toBe(1);
    expect(await new Response(run.stderr).text()).toContain("schemas/Tag.schema.json");
    rmSync(copy, { recursive: true, force: true });
  });
});
