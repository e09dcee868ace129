/**
 * CustomResourceDefinitions → kubeconform JSON schemas, as kubeconform's openapi2jsonschema.py
 * does it: one `{group}/{kind}_{version}.json` (lower case) per served version, taken from
 * `spec.versions[].schema.openAPIV3Schema`. Objects that list properties get
 * `additionalProperties: false` (root included), so a misspelt field is an error, as it is
 * for built-in kinds under `kubeconform -strict`; `int-or-string` becomes a oneOf.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface CrdSchema {
  /** Relative path for kubeconform's `{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json`. */
  path: string;
  schema: JsonObject;
}

export function crdSchemas(crd: unknown): CrdSchema[] {
  if (!isObject(crd) || crd.kind !== "CustomResourceDefinition") return [];
  const spec = crd.spec;
  if (!isObject(spec) || !isObject(spec.names) || typeof spec.group !== "string") {
    throw new Error("a CustomResourceDefinition without spec.group or spec.names");
  }
  const kind = String(spec.names.kind).toLowerCase();
  const versions = Array.isArray(spec.versions) ? spec.versions : [];
  return versions.flatMap((version) => {
    if (!isObject(version) || !isObject(version.schema) || !isObject(version.schema.openAPIV3Schema))
      return [];
    return [
      {
        path: `${spec.group}/${kind}_${String(version.name).toLowerCase()}.json`,
        schema: strict(version.schema.openAPIV3Schema) as JsonObject,
      },
    ];
  });
}

/** Deny unknown properties wherever properties are listed, unless the schema keeps unknown fields. */
export function strict(node: Json): Json {
  if (Array.isArray(node)) return node.map(strict);
  if (!isObject(node)) return node;
  if (node.format === "int-or-string") return { oneOf: [{ type: "string" }, { type: "integer" }] };
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    // Property names are data, not schema keywords: a property called "format" stays a schema.
    out[key] =
      key === "properties" && isObject(value)
        ? Object.fromEntries(Object.entries(value).map(([name, schema]) => [name, strict(schema)]))
        : strict(value);
  }
  if (
    isObject(node.properties) &&
    !("additionalProperties" in node) &&
    node["x-kubernetes-preserve-unknown-fields"] !== true
  ) {
    out.additionalProperties = false;
  }
  return out;
}

/**
 * The kubernetes-validate wheel's "local" schemas carry an `$id` under https://kubernetes.io/api/
 * and point at `/api/_definitions.json#/$defs/…`, which a resolver would fetch from that site.
 * Without the `$id` and with the reference made relative, kubeconform resolves it to the
 * `_definitions.json` beside the file: no network.
 */
export function offlineSchema(schemaText: string): string {
  const schema = JSON.parse(schemaText) as JsonObject;
  delete schema.$id;
  return JSON.stringify(schema).replaceAll('"/api/_definitions.json#', '"_definitions.json#');
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
