/**
 * The OKE overlay fits Oracle's Always Free allowance (4 OCPU, 24 GB in total): apps at their
 * HPA maximum, their daprd sidecars, migration Jobs, Dapr's control plane and the ingress
 * controller from the Helm values shipped with the overlay, and OKE's own pods (estimated).
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { repoRoot } from "@nudge/testing";
import { ALWAYS_FREE, manifestRows, markdownTable, okeBudget, total } from "../../scripts/k8s/budget.ts";
import { cpuMillis, memoryMiB } from "../../scripts/k8s/quantity.ts";
import { parseDocuments, rendered } from "./tools.ts";

// External tools and child processes: on a busy 2-core machine they need more than 5 s.
setDefaultTimeout(60_000);

describe("OKE Always Free budget", () => {
  test("quantities convert the way Kubernetes reads them", () => {
    expect([cpuMillis("250m"), cpuMillis("1"), cpuMillis("0.5")]).toEqual([250, 1000, 500]);
    expect([memoryMiB("96Mi"), memoryMiB("1Gi"), memoryMiB("1G")]).toEqual([96, 1024, 1e9 / 2 ** 20]);
    expect(() => memoryMiB("lots")).toThrow("not a memory quantity");
  });

  test("an app counts at its HPA maximum, with its sidecar's requests", () => {
    const objects = parseDocuments(`
apiVersion: apps/v1
kind: Deployment
metadata: { name: big }
spec:
  replicas: 1
  template:
    metadata:
      annotations: { dapr.io/enabled: "true", dapr.io/sidecar-cpu-request: 100m, dapr.io/sidecar-memory-request: 1Gi }
    spec:
      containers: [{ name: app, resources: { requests: { cpu: "1", memory: 2Gi } } }]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: big }
spec: { scaleTargetRef: { kind: Deployment, name: big }, maxReplicas: 4 }
`);
    const sum = total(manifestRows(objects));
    expect(sum).toEqual({ cpuMillis: 4400, memoryMiB: 12 * 1024 });
    expect(sum.cpuMillis).toBeGreaterThan(ALWAYS_FREE.cpuMillis);
  });

  test("the OKE overlay's summed requests, sidecars and control plane included, fit 4 OCPU and 24 GB", async () => {
    const rows = await okeBudget(
      parseDocuments(await rendered("kustomize/oke")),
      join(repoRoot, "kustomize", "oke"),
    );
    console.log(`OKE budget:\n${markdownTable(rows)}`);
    expect(rows.some((row) => row.what.includes("daprd sidecar"))).toBe(true);
    expect(rows.some((row) => row.what === "dapr-scheduler")).toBe(true);
    const sum = total(rows);
    expect(sum.cpuMillis).toBeLessThanOrEqual(ALWAYS_FREE.cpuMillis);
    expect(sum.memoryMiB).toBeLessThanOrEqual(ALWAYS_FREE.memoryMiB);
  });
});
