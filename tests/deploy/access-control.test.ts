/**
 * Dapr access control in the cluster is the same policy the self-hosted runs are tested with
 * (tests/mesh/access-control.test.ts): each app's Configuration carries the callers and routes of
 * dapr/access-control/<app>.yaml, in the namespace the overlay deploys to, and otherwise the
 * same runtime settings as every other app's.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "@nudge/testing";
import { daprApps } from "./policy.ts";
import { type K8sObject, parseDocuments, rendered } from "./tools.ts";

setDefaultTimeout(60_000);

const OVERLAYS = ["kustomize/minikube", "kustomize/oke"] as const;

function selfHosted(file: string): K8sObject {
  return Bun.YAML.parse(readFileSync(join(repoRoot, "dapr", file), "utf8")) as K8sObject;
}

interface Policy {
  appId: string;
  namespace: string;
  [key: string]: unknown;
}

/** Problems with the cluster's access control in one rendered overlay. */
export function accessControlProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const configurations = new Map(
    objects.filter((o) => o.kind === "Configuration").map((o) => [o.metadata.name, o]),
  );
  const shared = selfHosted("config.yaml").spec.accessControl;
  const withoutAccessControl = (o: K8sObject) => ({ ...o.spec, accessControl: undefined });
  const reference = configurations.get("nudge");
  for (const [name, configuration] of configurations) {
    const access = configuration.spec.accessControl;
    if (access?.defaultAction !== "deny" || access.trustDomain !== shared.trustDomain) {
      problems.push(`${name}: access control must default to deny in trust domain ${shared.trustDomain}`);
    }
    if (reference && !Bun.deepEquals(withoutAccessControl(configuration), withoutAccessControl(reference))) {
      problems.push(`${name}: runtime settings differ from Configuration nudge's`);
    }
  }
  for (const { appId, object } of daprApps(objects)) {
    const name = object.spec.template.metadata.annotations["dapr.io/config"];
    const configuration = configurations.get(name);
    if (!configuration) continue; // policy.test.ts reports a missing Configuration
    const file = join("access-control", `${appId}.yaml`);
    const wanted: Policy[] = existsSync(join(repoRoot, "dapr", file))
      ? selfHosted(file).spec.accessControl.policies.map((policy: Policy) => ({
          ...policy,
          namespace: object.metadata.namespace ?? "nudge",
        }))
      : [];
    const actual: Policy[] = configuration.spec.accessControl?.policies ?? [];
    if (!Bun.deepEquals(actual, wanted)) {
      problems.push(
        `${appId} (Configuration ${name}): callers ${JSON.stringify(actual)} instead of dapr/${file}'s ${JSON.stringify(wanted)}`,
      );
    }
  }
  return problems;
}

describe("Dapr access control in the cluster", () => {
  for (const overlay of OVERLAYS) {
    test(`${overlay}: every app admits exactly the callers its self-hosted policy admits, default deny`, async () => {
      expect(accessControlProblems(parseDocuments(await rendered(overlay)))).toEqual([]);
    });
  }

  test("a policy that drifted from the self-hosted one, or lets anyone in by default, is reported", async () => {
    const objects = parseDocuments(await rendered("kustomize/minikube"));
    const taskApi = objects.find((o) => o.kind === "Configuration" && o.metadata.name === "nudge-task-api");
    const nudge = objects.find((o) => o.kind === "Configuration" && o.metadata.name === "nudge");
    if (!taskApi || !nudge) throw new Error("the overlay has no Configuration nudge-task-api / nudge");
    taskApi.spec.accessControl.policies.push({ appId: "realtime-gateway", namespace: "nudge" });
    nudge.spec.accessControl.defaultAction = "allow";
    nudge.spec.tracing.samplingRate = "0.5";
    const problems = accessControlProblems(objects).join("\n");
    expect(problems).toContain("task-api (Configuration nudge-task-api): callers");
    expect(problems).toContain("nudge: access control must default to deny");
    expect(problems).toContain("nudge-task-api: runtime settings differ");
  });
});
