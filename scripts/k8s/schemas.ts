/**
 * Writes the JSON schemas kubeconform validates against (called by scripts/stack/k8s-tools.sh):
 *   bun scripts/k8s/schemas.ts kubernetes WHEEL vX.Y.Z OUT   built-in kinds, from kubernetes-validate's wheel
 *   bun scripts/k8s/schemas.ts crds CRD_DIR OUT              custom kinds, from CRD YAML files
 */
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { crdSchemas, offlineSchema } from "./crd-schema.ts";
import { readZipEntries } from "./zip.ts";

const [mode, ...args] = process.argv.slice(2);

if (mode === "kubernetes") {
  const [wheel, version, out] = args;
  if (!wheel || !version || !out) throw new Error("usage: schemas.ts kubernetes WHEEL vX.Y.Z OUT");
  // The wheel's "-local-strict" variant denies unknown fields, as `kubeconform -strict` expects.
  const prefix = `kubernetes_validate/kubernetes-json-schema/${version}-local-strict/`;
  const entries = readZipEntries(new Uint8Array(await Bun.file(wheel).arrayBuffer()), prefix);
  if (entries.size === 0) throw new Error(`${wheel} has no schemas for Kubernetes ${version}`);
  const dir = join(out, `${version}-strict`);
  mkdirSync(dir, { recursive: true });
  const decoder = new TextDecoder();
  for (const [name, data] of entries) {
    writeFileSync(join(dir, basename(name)), offlineSchema(decoder.decode(data)));
  }
  console.log(`wrote ${entries.size} schemas for Kubernetes ${version} to ${dir}`);
} else if (mode === "crds") {
  const [crdDir, out] = args;
  if (!crdDir || !out) throw new Error("usage: schemas.ts crds CRD_DIR OUT");
  let written = 0;
  for (const file of readdirSync(crdDir).filter((name) => /\.ya?ml$/.test(name))) {
    const docs = Bun.YAML.parse(await Bun.file(join(crdDir, file)).text());
    for (const doc of Array.isArray(docs) ? docs : [docs]) {
      for (const { path, schema } of crdSchemas(doc)) {
        mkdirSync(dirname(join(out, path)), { recursive: true });
        writeFileSync(join(out, path), JSON.stringify(schema, null, 2));
        written++;
      }
    }
  }
  if (written === 0) throw new Error(`no CustomResourceDefinitions in ${crdDir}`);
  console.log(`wrote ${written} schemas from the CRDs in ${crdDir} to ${out}`);
} else {
  throw new Error("usage: schemas.ts kubernetes WHEEL vX.Y.Z OUT | schemas.ts crds CRD_DIR OUT");
}
