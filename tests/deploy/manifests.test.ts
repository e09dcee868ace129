/**
 * The base and both overlays render with kustomize and every object validates against the
 * Kubernetes API schema (pinned version) and Dapr's CRD schemas, with nothing skipped.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "@nudge/testing";
import {
  FOLDERS,
  KUBERNETES_VERSION,
  kubeconform,
  parseDocuments,
  type Run,
  render,
  rendered,
} from "./tools.ts";

// External tools and child processes: on a busy 2-core machine they need more than 5 s.
setDefaultTimeout(60_000);

describe("kustomize render", () => {
  for (const folder of FOLDERS) {
    test(`${folder} builds with kustomize`, async () => {
      const docs = parseDocuments(await rendered(folder));
      expect(docs.length).toBeGreaterThan(0);
    });
  }

  test("a kustomization that names a missing file fails to build (the render step can fail)", async () => {
    await expect(render("tests/deploy/fixtures/broken-overlay")).rejects.toThrow("kustomize build");
  });
});

describe("schema validation (kubeconform -strict)", () => {
  for (const folder of FOLDERS) {
    test(`every object of ${folder} is valid for Kubernetes ${KUBERNETES_VERSION} and Dapr, none skipped`, async () => {
      const yaml = await rendered(folder);
      const { run, summary } = await kubeconform(yaml);
      console.log(`kubeconform ${folder}: ${JSON.stringify(summary)} in ${run.seconds.toFixed(2)} s`);
      expect({ summary, problems: problemsOf(run) }).toEqual({
        summary: { valid: parseDocuments(yaml).length, invalid: 0, errors: 0, skipped: 0 },
        problems: [],
      });
    }, 60_000);
  }

  test("a misspelt field is an error, in a built-in kind and in a Dapr kind alike", async () => {
    const yaml = readFileSync(join(import.meta.dir, "fixtures", "invalid.yaml"), "utf8");
    const { run, summary } = await kubeconform(yaml);
    expect(summary).toMatchObject({ valid: 0, invalid: 2, skipped: 0 });
    expect(problemsOf(run).join("\n")).toContain("'replicaz' not allowed");
    expect(problemsOf(run).join("\n")).toContain("'deadLetterTopik' not allowed");
  });

  test("a kind without a schema is reported, not skipped", async () => {
    const { summary } = await kubeconform("apiVersion: example.com/v1\nkind: Gadget\nmetadata:\n  name: g\n");
    expect(summary).toMatchObject({ valid: 0, errors: 1, skipped: 0 });
  });
});

describe("layout (CONVENTIONS.md §8)", () => {
  test("every file in k8s/ holds one resource, is named <kind>-<name>.yaml and is listed in the kustomization", () => {
    const problems = resourceFileProblems("k8s");
    expect(problems).toEqual([]);
  });

  test("overlays add only their own resources, named like the base's, and copy none of the base's", async () => {
    const base = new Set(parseDocuments(await rendered("k8s")).map((o) => `${o.kind}/${o.metadata.name}`));
    for (const overlay of ["kustomize/minikube", "kustomize/oke"]) {
      expect(resourceFileProblems(overlay)).toEqual([]);
      const own = listedResources(overlay)
        .filter((file) => !file.startsWith(".."))
        .flatMap((file) => parseDocuments(readFileSync(join(repoRoot, overlay, file), "utf8")))
        .map((o) => `${o.kind}/${o.metadata.name}`);
      expect(own.filter((key) => base.has(key))).toEqual([]);
    }
  });
});

function problemsOf(run: Run): string[] {
  const parsed = JSON.parse(run.stdout) as {
    resources?: { kind: string; name: string; status: string; msg: string }[];
  };
  return (parsed.resources ?? [])
    .filter((r) => r.status !== "statusValid")
    .map((r) => `${r.kind} ${r.name}: ${r.status} ${r.msg}`);
}

function listedResources(folder: string): string[] {
  const kustomization = Bun.YAML.parse(
    readFileSync(join(repoRoot, folder, "kustomization.yaml"), "utf8"),
  ) as {
    resources?: string[];
  };
  return kustomization.resources ?? [];
}

/** Resource files (not kustomization, patches or Helm values) follow <kind>-<name>.yaml and are all listed. */
function resourceFileProblems(folder: string): string[] {
  const listed = new Set(listedResources(folder));
  const files = readdirSync(join(repoRoot, folder)).filter(
    (f) =>
      f.endsWith(".yaml") &&
      f !== "kustomization.yaml" &&
      !f.startsWith("patch-") &&
      !f.endsWith("-values.yaml"),
  );
  const problems: string[] = [];
  for (const file of files) {
    const docs = parseDocuments(readFileSync(join(repoRoot, folder, file), "utf8"));
    const [doc] = docs;
    if (docs.length !== 1 || !doc) {
      problems.push(`${folder}/${file}: holds ${docs.length} resources, not one`);
      continue;
    }
    const expected = `${doc.kind.toLowerCase()}-${doc.metadata.name}.yaml`;
    if (file !== expected) problems.push(`${folder}/${file}: should be named ${expected}`);
    if (!listed.has(file)) problems.push(`${folder}/${file}: not listed in ${folder}/kustomization.yaml`);
  }
  return problems;
}
