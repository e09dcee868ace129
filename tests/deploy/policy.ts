/**
 * Rules every rendered Nudge manifest meets. Each checker returns the problems it finds as
 * sentences naming the object, so a failing test says what to fix; policy.test.ts also feeds
 * them bad objects to prove each rule can fail.
 */
import type { K8sObject } from "./tools.ts";

const WORKLOADS = ["Deployment", "StatefulSet", "DaemonSet", "Job"];
const LONG_RUNNING = ["Deployment", "StatefulSet", "DaemonSet"];

/** Every container: requests and limits, non-root, read-only root, no escalation, no capabilities; probes where it runs for good. */
export function containerProblems(object: K8sObject): string[] {
  if (!WORKLOADS.includes(object.kind)) return [];
  const pod = object.spec?.template?.spec ?? {};
  const problems: string[] = [];
  const all = [
    ...(pod.containers ?? []).map((c: K8sObject) => ({ c, init: false })),
    ...(pod.initContainers ?? []).map((c: K8sObject) => ({ c, init: true })),
  ];
  for (const { c, init } of all) {
    const where = `${object.kind} ${object.metadata.name}, container ${c.name}`;
    for (const kind of ["requests", "limits"]) {
      for (const resource of ["cpu", "memory"]) {
        if (!c.resources?.[kind]?.[resource]) problems.push(`${where}: no ${resource} ${kind}`);
      }
    }
    const sc = c.securityContext ?? {};
    if (sc.runAsNonRoot !== true && pod.securityContext?.runAsNonRoot !== true) {
      problems.push(`${where}: runAsNonRoot is not true`);
    }
    if (sc.runAsUser === 0 || (sc.runAsUser === undefined && pod.securityContext?.runAsUser === 0)) {
      problems.push(`${where}: runs as uid 0`);
    }
    if (sc.readOnlyRootFilesystem !== true) problems.push(`${where}: readOnlyRootFilesystem is not true`);
    if (sc.allowPrivilegeEscalation !== false)
      problems.push(`${where}: allowPrivilegeEscalation is not false`);
    if (!(sc.capabilities?.drop ?? []).includes("ALL"))
      problems.push(`${where}: capabilities do not drop ALL`);
    if (sc.privileged === true) problems.push(`${where}: privileged`);
    if (typeof c.image !== "string" || /:latest$/.test(c.image)) problems.push(`${where}: image is unpinned`);
    if (LONG_RUNNING.includes(object.kind) && !init) {
      for (const probe of ["livenessProbe", "readinessProbe"]) {
        if (!c[probe]) problems.push(`${where}: no ${probe}`);
      }
    }
  }
  return problems;
}

/** Annotations a Dapr-enabled pod must carry (Dapr reads them when it injects the sidecar). */
export const DAPR_ANNOTATIONS = [
  "dapr.io/app-id",
  "dapr.io/app-port",
  "dapr.io/config",
  "dapr.io/log-level",
  "dapr.io/log-as-json",
  "dapr.io/sidecar-cpu-request",
  "dapr.io/sidecar-memory-request",
  "dapr.io/sidecar-cpu-limit",
  "dapr.io/sidecar-memory-limit",
  "dapr.io/graceful-shutdown-seconds",
  "dapr.io/app-token-secret",
];

export interface DaprApp {
  appId: string;
  object: K8sObject;
}

export function daprApps(objects: K8sObject[]): DaprApp[] {
  return objects
    .filter((o) => LONG_RUNNING.includes(o.kind))
    .filter((o) => o.spec?.template?.metadata?.annotations?.["dapr.io/enabled"] === "true")
    .map((object) => ({ appId: object.spec.template.metadata.annotations["dapr.io/app-id"], object }));
}

/**
 * Dapr wiring: each app's annotations are complete and consistent (its app-id is its name, its
 * port is a container port, its configuration exists), every component is scoped, and each app
 * is in the scopes of every component it uses (`uses`, plus the pub/sub of its subscriptions).
 */
export function daprProblems(objects: K8sObject[], uses: Record<string, string[]>): string[] {
  const problems: string[] = [];
  const components = new Map(objects.filter((o) => o.kind === "Component").map((o) => [o.metadata.name, o]));
  const configurations = new Set(
    objects.filter((o) => o.kind === "Configuration").map((o) => o.metadata.name),
  );
  for (const { appId, object } of daprApps(objects)) {
    const annotations = object.spec.template.metadata.annotations;
    const where = `${object.kind} ${object.metadata.name}`;
    for (const key of DAPR_ANNOTATIONS)
      if (!annotations[key]) problems.push(`${where}: no ${key} annotation`);
    if (appId && appId !== object.metadata.name)
      problems.push(`${where}: app-id ${appId} differs from its name`);
    const ports = (object.spec.template.spec.containers ?? []).flatMap((c: K8sObject) =>
      (c.ports ?? []).map((p: { containerPort: number }) => String(p.containerPort)),
    );
    if (annotations["dapr.io/app-port"] && !ports.includes(annotations["dapr.io/app-port"])) {
      problems.push(`${where}: app-port ${annotations["dapr.io/app-port"]} is no container port`);
    }
    if (annotations["dapr.io/config"] && !configurations.has(annotations["dapr.io/config"])) {
      problems.push(`${where}: Dapr Configuration ${annotations["dapr.io/config"]} does not exist`);
    }
    const declared = uses[appId];
    if (!declared) {
      problems.push(`${where}: declare the Dapr components ${appId} uses in tests/deploy/policy.test.ts`);
      continue;
    }
    const subscribed = objects
      .filter((o) => o.kind === "Subscription" && (o.scopes ?? []).includes(appId))
      .map((o) => o.spec.pubsubname as string);
    for (const name of new Set([...declared, ...subscribed])) {
      const component = components.get(name);
      if (!component) problems.push(`${where}: uses Dapr component ${name}, which does not exist`);
      else if (!(component.scopes ?? []).includes(appId)) {
        problems.push(`Component ${name}: ${appId} uses it but is not in its scopes`);
      }
    }
  }
  for (const [name, component] of components) {
    if (!component.scopes?.length)
      problems.push(`Component ${name}: no scopes, so every app in the namespace sees it`);
  }
  for (const subscription of objects.filter((o) => o.kind === "Subscription")) {
    // The dead letters' own subscription (audit-service) must not park into itself.
    if (!subscription.spec?.deadLetterTopic && subscription.spec?.topic !== "dlq-events")
      problems.push(`Subscription ${subscription.metadata.name}: no deadLetterTopic`);
    if (!subscription.scopes?.length) problems.push(`Subscription ${subscription.metadata.name}: no scopes`);
  }
  return problems;
}

/** Secret values appear only where a secretGenerator made them (`allowed`), never in a file. */
export function secretProblems(objects: K8sObject[], allowed: string[]): string[] {
  return objects
    .filter((o) => o.kind === "Secret")
    .filter((o) => !allowed.includes(o.metadata.name))
    .map((o) => `Secret ${o.metadata.name}: holds committed values (create it in the cluster instead)`);
}

/**
 * What `kubectl apply -k` of the next release must be able to do to every object, as a real
 * cluster showed (./nudge cluster): no Job — its pod template cannot change, so a new image is
 * refused, and a finished Job's TTL makes the next apply create it again — and no
 * PodDisruptionBudget whose selector reaches pods that no scalable controller owns (the
 * disruption controller then allows no eviction at all, and a node drain waits forever).
 */
export function applyProblems(objects: K8sObject[]): string[] {
  const problems = objects
    .filter((o) => o.kind === "Job" || o.kind === "CronJob")
    .map(
      (o) =>
        `${o.kind} ${o.metadata.name}: a Job cannot take a new image on the next apply (run the step in an init container)`,
    );
  const scalable = ["Deployment", "StatefulSet", "ReplicaSet"];
  for (const pdb of objects.filter((o) => o.kind === "PodDisruptionBudget")) {
    const selector: Record<string, string> = pdb.spec?.selector?.matchLabels ?? {};
    for (const workload of objects.filter((o) => WORKLOADS.includes(o.kind))) {
      const labels: Record<string, string> = workload.spec?.template?.metadata?.labels ?? {};
      const selected = Object.entries(selector).every(([key, value]) => labels[key] === value);
      if (selected && !scalable.includes(workload.kind)) {
        problems.push(
          `PodDisruptionBudget ${pdb.metadata.name}: selects the pods of ${workload.kind} ${workload.metadata.name}, which has no scale subresource`,
        );
      }
    }
  }
  return problems;
}
