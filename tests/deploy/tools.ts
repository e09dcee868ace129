import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "@nudge/testing";

/**
 * kustomize, kubeconform, actionlint and the JSON schemas, as scripts/stack/k8s-tools.sh leaves
 * them in the cache. A missing one fails the test with the command that provides it.
 */
export const toolsDir = join(process.env.NUDGE_CACHE ?? join(repoRoot, ".cache"), "tools", "k8s");
const FIX = "run: bash scripts/stack/k8s-tools.sh (./nudge test runs it)";

/** The versions the script pins, read from it so the two never disagree. */
function pinned(variable: string): string {
  const script = readFileSync(join(repoRoot, "scripts", "stack", "k8s-tools.sh"), "utf8");
  const match = script.match(new RegExp(`${variable}="\\$\\{${variable}:-([^}]+)\\}"`));
  if (!match?.[1]) throw new Error(`${variable} is not pinned in scripts/stack/k8s-tools.sh`);
  return match[1];
}

export const KUBERNETES_VERSION = pinned("KUBERNETES_SCHEMA_VERSION");

export function tool(name: "kustomize" | "kubeconform" | "actionlint"): string {
  const path = join(toolsDir, "bin", name);
  if (!existsSync(path)) throw new Error(`${name} is not installed in ${join(toolsDir, "bin")}: ${FIX}`);
  const built = readFileSync(join(toolsDir, "bin", `.${name}.version`), "utf8").trim();
  const wanted = pinned(`${name.toUpperCase()}_VERSION`);
  if (built !== wanted) throw new Error(`${name} ${built} is installed but ${wanted} is pinned: ${FIX}`);
  return path;
}

/** kubeconform's -schema-location templates: built-in kinds, then Dapr's CRDs. */
export function schemaLocations(): string[] {
  const kubernetes = join(toolsDir, "schemas", "kubernetes");
  const dapr = join(toolsDir, "schemas", "dapr");
  for (const dir of [join(kubernetes, `v${KUBERNETES_VERSION}-strict`), join(dapr, "dapr.io")]) {
    if (!existsSync(dir)) throw new Error(`no JSON schemas in ${dir}: ${FIX}`);
  }
  return [
    `${kubernetes}/{{ .NormalizedKubernetesVersion }}{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json`,
    `${dapr}/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json`,
  ];
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  seconds: number;
}

export async function run(cmd: string[], stdin?: string): Promise<Run> {
  const started = performance.now();
  const child = Bun.spawn(cmd, {
    cwd: repoRoot,
    stdin: stdin === undefined ? "ignore" : new TextEncoder().encode(stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [code, stdout, stderr] = await Promise.all([
    child.exited,
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  return { code, stdout, stderr, seconds: (performance.now() - started) / 1000 };
}

/** `kustomize build` of a folder, as YAML text; throws with kustomize's message on failure. */
export async function render(folder: string): Promise<string> {
  const result = await run([tool("kustomize"), "build", join(repoRoot, folder)]);
  if (result.code !== 0) throw new Error(`kustomize build ${folder} failed:\n${result.stderr}`);
  console.log(`kustomize build ${folder}: ${result.seconds.toFixed(2)} s`);
  return result.stdout;
}

/** kubeconform -strict over YAML text: zero errors and zero skipped kinds is the bar. */
export async function kubeconform(yaml: string): Promise<{ run: Run; summary: KubeconformSummary }> {
  const args = [tool("kubeconform"), "-strict", "-summary", "-output", "json"];
  args.push("-kubernetes-version", KUBERNETES_VERSION);
  for (const location of schemaLocations()) args.push("-schema-location", location);
  const result = await run([...args, "-"], yaml);
  const parsed = JSON.parse(result.stdout) as { resources?: unknown[]; summary: KubeconformSummary };
  return { run: result, summary: parsed.summary };
}

export interface KubeconformSummary {
  valid: number;
  invalid: number;
  errors: number;
  skipped: number;
}

export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; [key: string]: unknown };
} & Record<string, any>;

export function parseDocuments(yaml: string): K8sObject[] {
  const docs = Bun.YAML.parse(yaml);
  return (Array.isArray(docs) ? docs : [docs]).filter(Boolean) as K8sObject[];
}

const renders = new Map<string, Promise<string>>();

/** The rendered YAML of a folder, built once per test run and shared by the test files. */
export function rendered(folder: string): Promise<string> {
  let result = renders.get(folder);
  if (!result) {
    result = render(folder);
    renders.set(folder, result);
  }
  return result;
}

export const FOLDERS = ["k8s", "kustomize/minikube", "kustomize/oke", "kustomize/ci"] as const;
