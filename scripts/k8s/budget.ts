/**
 * What the OKE overlay asks of the cluster, summed: every pod's CPU and memory requests at its
 * largest replica count (HPA maximum), its Dapr sidecar (annotations), the migration Jobs, the
 * Dapr control plane and the ingress controller from the Helm values shipped beside the
 * overlay, and an estimate for OKE's own system pods. tests/deploy/budget.test.ts holds it to
 * the Always Free budget; `bun scripts/k8s/budget.ts` prints the README table.
 */
import { join } from "node:path";
import { cpuMillis, memoryMiB } from "./quantity.ts";

type Obj = Record<string, any>;

export const ALWAYS_FREE = { cpuMillis: 4000, memoryMiB: 24 * 1024 };

export interface BudgetRow {
  what: string;
  count: number;
  cpuMillis: number;
  memoryMiB: number;
}

function requests(container: Obj) {
  return {
    cpu: cpuMillis(container.resources?.requests?.cpu),
    memory: memoryMiB(container.resources?.requests?.memory),
  };
}

/** A pod's effective request: its containers' sum, or its largest init container if larger. */
function podRequests(spec: Obj) {
  const sum = (spec.containers ?? []).map(requests).reduce(
    (a: { cpu: number; memory: number }, b: { cpu: number; memory: number }) => ({
      cpu: a.cpu + b.cpu,
      memory: a.memory + b.memory,
    }),
    { cpu: 0, memory: 0 },
  );
  for (const init of (spec.initContainers ?? []).map(requests)) {
    sum.cpu = Math.max(sum.cpu, init.cpu);
    sum.memory = Math.max(sum.memory, init.memory);
  }
  return sum;
}

export function manifestRows(objects: Obj[]): BudgetRow[] {
  const maxReplicas = new Map<string, number>();
  for (const hpa of objects.filter((o) => o.kind === "HorizontalPodAutoscaler")) {
    maxReplicas.set(`${hpa.spec.scaleTargetRef.kind}/${hpa.spec.scaleTargetRef.name}`, hpa.spec.maxReplicas);
  }
  const rows: BudgetRow[] = [];
  for (const o of objects) {
    if (!["Deployment", "StatefulSet", "Job"].includes(o.kind)) continue;
    const pod = o.spec.template;
    const count =
      o.kind === "Job"
        ? (o.spec.parallelism ?? 1)
        : (maxReplicas.get(`${o.kind}/${o.metadata.name}`) ?? o.spec.replicas ?? 1);
    const app = podRequests(pod.spec);
    const label = o.kind === "Job" ? `${o.metadata.name} (Job, during deploys)` : o.metadata.name;
    rows.push({ what: label, count, cpuMillis: app.cpu * count, memoryMiB: app.memory * count });
    const a = pod.metadata?.annotations ?? {};
    if (a["dapr.io/enabled"] === "true") {
      rows.push({
        what: `${o.metadata.name} daprd sidecar`,
        count,
        cpuMillis: cpuMillis(a["dapr.io/sidecar-cpu-request"]) * count,
        memoryMiB: memoryMiB(a["dapr.io/sidecar-memory-request"]) * count,
      });
    }
  }
  return rows;
}

/** Dapr's control plane as the chart deploys it with these values (scheduler: always 3). */
export function daprControlPlaneRows(values: Obj): BudgetRow[] {
  const ha = values.global?.ha?.enabled === true;
  const parts: Array<[string, string, number]> = [
    ["dapr-operator", "dapr_operator", ha ? 3 : 1],
    ["dapr-placement", "dapr_placement", ha ? 3 : 1],
    ["dapr-sentry", "dapr_sentry", ha ? 3 : 1],
    ["dapr-sidecar-injector", "dapr_sidecar_injector", ha ? 3 : 1],
    ["dapr-scheduler", "dapr_scheduler", 3],
  ];
  return parts.map(([what, key, count]) => {
    const r = values[key]?.resources?.requests;
    if (!r) throw new Error(`dapr-values.yaml sets no resources.requests for ${key}`);
    return { what, count, cpuMillis: cpuMillis(r.cpu) * count, memoryMiB: memoryMiB(r.memory) * count };
  });
}

export function traefikRows(values: Obj): BudgetRow[] {
  const r = values.resources?.requests;
  if (!r) throw new Error("traefik-values.yaml sets no resources.requests");
  const count = values.deployment?.replicas ?? 1;
  return [
    {
      what: "traefik (ingress)",
      count,
      cpuMillis: cpuMillis(r.cpu) * count,
      memoryMiB: memoryMiB(r.memory) * count,
    },
  ];
}

/**
 * Not ours, but on the same 4 OCPU: CoreDNS (2 × 100m/70Mi), and per node (2 assumed) the CNI,
 * kube-proxy and the OCI CSI driver. An estimate; `kubectl describe nodes` shows the real one.
 */
export const OKE_SYSTEM_ESTIMATE: BudgetRow = {
  what: "OKE system pods (estimate)",
  count: 1,
  cpuMillis: 500,
  memoryMiB: 512,
};

export function total(rows: BudgetRow[]) {
  return rows.reduce(
    (sum, row) => ({ cpuMillis: sum.cpuMillis + row.cpuMillis, memoryMiB: sum.memoryMiB + row.memoryMiB }),
    {
      cpuMillis: 0,
      memoryMiB: 0,
    },
  );
}

export function markdownTable(rows: BudgetRow[]): string {
  const sum = total(rows);
  const line = (what: string, count: string, cpu: string, memory: string) =>
    `| ${what} | ${count} | ${cpu} | ${memory} |`;
  return [
    line("what", "pods", "CPU requests", "memory requests"),
    line("---", "---:", "---:", "---:"),
    ...rows.map((r) => line(r.what, String(r.count), `${r.cpuMillis}m`, `${Math.round(r.memoryMiB)} MiB`)),
    line(
      "**total**",
      "",
      `**${sum.cpuMillis}m** of ${ALWAYS_FREE.cpuMillis}m`,
      `**${Math.round(sum.memoryMiB)} MiB** of ${ALWAYS_FREE.memoryMiB} MiB`,
    ),
  ].join("\n");
}

/** All rows for the OKE overlay, given its rendered objects. */
export async function okeBudget(objects: Obj[], overlayDir: string): Promise<BudgetRow[]> {
  const dapr = Bun.YAML.parse(await Bun.file(join(overlayDir, "dapr-values.yaml")).text()) as Obj;
  const traefik = Bun.YAML.parse(await Bun.file(join(overlayDir, "traefik-values.yaml")).text()) as Obj;
  return [
    ...manifestRows(objects),
    ...daprControlPlaneRows(dapr),
    ...traefikRows(traefik),
    OKE_SYSTEM_ESTIMATE,
  ];
}

if (import.meta.main) {
  const root = join(import.meta.dir, "..", "..");
  const kustomize = join(process.env.NUDGE_CACHE ?? join(root, ".cache"), "tools", "k8s", "bin", "kustomize");
  const built = Bun.spawnSync([kustomize, "build", join(root, "kustomize", "oke")]);
  if (built.exitCode !== 0) throw new Error(`kustomize build failed: ${built.stderr}`);
  const docs = Bun.YAML.parse(built.stdout.toString()) as Obj[];
  console.log(markdownTable(await okeBudget(docs, join(root, "kustomize", "oke"))));
}
