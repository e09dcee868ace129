/** The GitHub Actions workflows (ci, release, deploy) pass actionlint. */
import { expect, setDefaultTimeout, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "@nudge/testing";
import { run, tool } from "./tools.ts";

// External tools and child processes: on a busy 2-core machine they need more than 5 s.
setDefaultTimeout(60_000);

const workflows = readdirSync(join(repoRoot, ".github", "workflows"))
  .filter((file) => /\.ya?ml$/.test(file))
  .map((file) => join(".github", "workflows", file));

test("ci, release and deploy workflows exist", () => {
  expect(workflows.map((file) => file.split("/").pop())).toEqual(
    expect.arrayContaining(["ci.yml", "release.yml", "deploy.yml"]),
  );
});

test("every workflow passes actionlint", async () => {
  const result = await run([tool("actionlint"), "-no-color", ...workflows]);
  expect({ code: result.code, output: result.stdout + result.stderr }).toEqual({ code: 0, output: "" });
});

test("actionlint reports a broken workflow (the check can fail)", async () => {
  const result = await run([tool("actionlint"), "-no-color", "tests/deploy/fixtures/broken-workflow.yml"]);
  expect(result.code).toBe(1);
  expect(result.stdout).toContain("undefined-step");
});
