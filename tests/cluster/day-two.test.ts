import { describe, expect, test } from "bun:test";
import { DEPLOYMENTS, kubectl, kubectlJson, newUser, overlay, podsOf, rolledOut } from "./cluster.ts";
import { buildRelease, pinnedOverlay } from "./release.ts";

interface Item {
  kind: string;
  metadata: { name: string; resourceVersion: string; uid: string };
}

/** kind/name → resourceVersion of everything in the namespace an apply could touch. */
async function snapshot() {
  const list = await kubectlJson<{ items: Item[] }>([
    "-n",
    "nudge",
    "get",
    "deployments,statefulsets,jobs,services,configmaps,secrets,serviceaccounts,networkpolicies,poddisruptionbudgets,roles,rolebindings,ingresses,components.dapr.io,configurations.dapr.io,subscriptions.dapr.io,resiliencies.dapr.io,pods",
  ]);
  return new Map(
    list.items.map((i) => [
      `${i.kind}/${i.metadata.name}`,
      `${i.metadata.uid}@${i.metadata.resourceVersion}`,
    ]),
  );
}

function changes(before: Map<string, string>, after: Map<string, string>) {
  const out: string[] = [];
  for (const [key, version] of after)
    if (before.get(key) !== version) out.push(`${key} ${before.has(key) ? "changed" : "created"}`);
  for (const key of before.keys()) if (!after.has(key)) out.push(`${key} removed`);
  return out;
}

describe("an operator's day two", () => {
  test("re-applying the same overlay writes nothing and restarts nothing", async () => {
    const before = await snapshot();
    const applied = await kubectl(["apply", "-k", overlay]);
    // Give controllers a moment to react to anything the apply did change.
    await Bun.sleep(5000);
    const after = await snapshot();
    expect(changes(before, after)).toEqual([]);
    expect(applied.stdout).not.toContain(" created");
    // And the API server sees no difference between the overlay and what runs.
    const diff = await kubectl(["diff", "-k", overlay], { allowFailure: true });
    expect(diff.stdout).toBe("");
    expect(diff.code).toBe(0);
  }, 120_000);

  test("a new task-api release rolls out with its migration, through kubectl apply -k alone", async () => {
    const tag = `release-${Date.now().toString(36)}`;
    const table = `cluster_release_${tag.replace(/-/g, "_")}`;
    // A version of its own per run: an applied migration may never change (migrate refuses).
    const version = `900_${table}`;
    await buildRelease("task-api", tag, {
      file: `${version}.sql`,
      sql: `create table ${table} (released_at timestamptz not null default now());\n`,
    });
    const release = pinnedOverlay({ "task-api": tag });
    try {
      await kubectl(["apply", "-k", release.dir]);
      await rolledOut(["task-api"]);
      const serving = (await podsOf("task-api")).filter((p) => !p.metadata.deletionTimestamp);
      const images = await kubectlJson<{ spec: { containers: Array<{ image: string }> } }>([
        "-n",
        "nudge",
        "get",
        "pod",
        serving[0]?.metadata.name ?? "",
      ]);
      expect(images.spec.containers.map((c) => c.image)).toContain(`nudge-task-api:${tag}`);
      const marker = await kubectl([
        "-n",
        "nudge",
        "exec",
        "postgres-0",
        "--",
        "psql",
        "-U",
        "nudge",
        "-d",
        "nudge",
        "-tAc",
        `select count(*) from task_api.schema_migrations where version = '${version}'; select to_regclass('task_api.${table}') is not null`,
      ]);
      expect(marker.stdout.trim().split("\n")).toEqual(["1", "t"]);
      const erin = await newUser("release");
      expect((await erin.api("POST", "/tasks", { title: "after the release" })).status).toBe(201);
    } finally {
      release.remove();
    }
    // Back to the overlay's own tag: the older binary starts on the newer schema.
    await kubectl(["apply", "-k", overlay]);
    await rolledOut([...DEPLOYMENTS]);
  }, 600_000);

  test("the OKE overlay is accepted by the real API server (server-side dry run)", async () => {
    const { code, stdout, stderr } = await kubectl(["apply", "-k", "kustomize/oke", "--dry-run=server"], {
      allowFailure: true,
    });
    expect(stderr).not.toContain("Error from server");
    expect(code).toBe(0);
    expect(stdout).toContain("deployment.apps/task-api");
  }, 120_000);
});
