/**
 * Policy over the rendered manifests (CONVENTIONS.md §8 and issue #7): hardened containers,
 * complete Dapr wiring with scoped components, no committed Secret values. Each rule is first
 * shown to catch a bad object, so a passing run means something.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "@nudge/testing";
import { applyProblems, containerProblems, daprApps, daprProblems, secretProblems } from "./policy.ts";
import { FOLDERS, type K8sObject, parseDocuments, rendered } from "./tools.ts";

// External tools and child processes: on a busy 2-core machine they need more than 5 s.
setDefaultTimeout(60_000);

/**
 * The Dapr components each app uses (subscriptions add their pub/sub themselves). A new Dapr
 * app adds its line here, and itself to those components' scopes in k8s/component-*.yaml.
 */
const USES: Record<string, string[]> = {
  "task-api": ["pubsub"],
  "notification-service": ["pubsub", "statestore"],
  "recurrence-service": ["pubsub", "statestore"],
  "audit-service": ["pubsub"],
  "realtime-gateway": ["pubsub-live"],
};

const fixture = (name: string) =>
  parseDocuments(readFileSync(join(import.meta.dir, "fixtures", name), "utf8"));

describe("the policy checkers catch what they are for", () => {
  test("a container without resources, probes or hardening is reported on every count", () => {
    const problems = containerProblems(fixture("bad-workload.yaml")[0] as K8sObject).join("\n");
    for (const expected of [
      "no cpu requests",
      "no memory limits",
      "runAsNonRoot is not true",
      "readOnlyRootFilesystem is not true",
      "allowPrivilegeEscalation is not false",
      "capabilities do not drop ALL",
      "no livenessProbe",
      "no readinessProbe",
      "image is unpinned",
    ]) {
      expect(problems).toContain(expected);
    }
  });

  test("a Dapr app with missing annotations, a wrong port and an unscoped component is reported", () => {
    const problems = daprProblems(fixture("bad-dapr.yaml"), { "bad-app": ["pubsub", "statestore"] }).join(
      "\n",
    );
    expect(problems).toContain("no dapr.io/log-as-json annotation");
    expect(problems).toContain("app-port 4000 is no container port");
    expect(problems).toContain("Dapr Configuration missing does not exist");
    expect(problems).toContain("Component pubsub: bad-app uses it but is not in its scopes");
    expect(problems).toContain("uses Dapr component statestore, which does not exist");
    expect(problems).toContain("Subscription bad-events: no deadLetterTopic");
    expect(daprProblems(fixture("bad-dapr.yaml"), {}).join("\n")).toContain(
      "declare the Dapr components bad-app uses",
    );
  });

  test("a Job, and a PodDisruptionBudget reaching its pods, are reported as blocking the next apply", () => {
    expect(applyProblems(fixture("bad-apply.yaml"))).toEqual([
      "Job bad-app-migrate: a Job cannot take a new image on the next apply (run the step in an init container)",
      "PodDisruptionBudget bad-app: selects the pods of Job bad-app-migrate, which has no scale subresource",
    ]);
  });

  test("a Secret with values that no generator made is reported", () => {
    const secret = { apiVersion: "v1", kind: "Secret", metadata: { name: "leaked" }, stringData: { a: "b" } };
    expect(secretProblems([secret], [])).toEqual([
      "Secret leaked: holds committed values (create it in the cluster instead)",
    ]);
    expect(secretProblems([secret], ["leaked"])).toEqual([]);
  });
});

describe("rendered manifests", () => {
  for (const folder of FOLDERS) {
    test(`every container in ${folder} has requests, limits, probes, non-root, a read-only root and no capabilities`, async () => {
      const objects = parseDocuments(await rendered(folder));
      expect(objects.flatMap(containerProblems)).toEqual([]);
    });

    test(`${folder} can be applied again with new images: no Job, no disruption budget over unscalable pods`, async () => {
      expect(applyProblems(parseDocuments(await rendered(folder)))).toEqual([]);
    });

    test(`every Dapr app in ${folder} is annotated and in the scopes of the components it uses`, async () => {
      const objects = parseDocuments(await rendered(folder));
      expect(daprApps(objects).length).toBeGreaterThan(0);
      expect(daprProblems(objects, USES)).toEqual([]);
    });
  }

  test("every service under services/ is deployed as a Dapr app whose app-id is its folder name", async () => {
    const services = readdirSync(join(repoRoot, "services"), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith("."))
      .map((entry) => entry.name)
      .filter((name) => readdirSync(join(repoRoot, "services", name)).includes("package.json"));
    const apps = daprApps(parseDocuments(await rendered("k8s"))).map((app) => app.appId);
    expect(services.filter((service) => !apps.includes(service))).toEqual([]);
  });

  test("no Secret values are committed: the base and OKE render none, minikube only its generator's", async () => {
    expect(secretProblems(parseDocuments(await rendered("k8s")), [])).toEqual([]);
    expect(secretProblems(parseDocuments(await rendered("kustomize/oke")), [])).toEqual([]);
    const generated = (
      Bun.YAML.parse(readFileSync(join(repoRoot, "kustomize/minikube/kustomization.yaml"), "utf8")) as {
        secretGenerator: { name: string }[];
      }
    ).secretGenerator.map((g) => g.name);
    expect(secretProblems(parseDocuments(await rendered("kustomize/minikube")), generated)).toEqual([]);
  });

  test("on OKE every NetworkPolicy that admits the ingress controller admits Traefik, not ingress-nginx", async () => {
    const objects = parseDocuments(await rendered("kustomize/oke"));
    const admitted = objects
      .filter((o) => o.kind === "NetworkPolicy")
      .flatMap((o) => {
        const text = JSON.stringify(o);
        return [...text.matchAll(/"kubernetes.io\/metadata.name":"([^"]+)"/g)].map(
          (m) => `${o.metadata?.name}: ${m[1]}`,
        );
      });
    expect(admitted.filter((line) => line.endsWith("ingress-nginx"))).toEqual([]);
    expect(admitted).toContain("audit-service: traefik");
  });

  test("no manifest file under k8s/ or kustomize/ spells out a Secret", () => {
    const files = ["k8s", "kustomize/minikube", "kustomize/oke"].flatMap((folder) =>
      readdirSync(join(repoRoot, folder))
        .filter((f) => f.endsWith(".yaml"))
        .map((f) => join(folder, f)),
    );
    const offenders = files.filter((file) =>
      parseDocuments(readFileSync(join(repoRoot, file), "utf8")).some((doc) => doc.kind === "Secret"),
    );
    expect(offenders).toEqual([]);
  });
});
