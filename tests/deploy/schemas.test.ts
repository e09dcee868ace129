/** The schema conversion scripts/k8s/schemas.ts applies (CRDs and the wheel's Kubernetes schemas). */
import { expect, test } from "bun:test";
import { deflateRawSync } from "node:zlib";
import { crdSchemas, offlineSchema, strict } from "../../scripts/k8s/crd-schema.ts";
import { readZipEntries } from "../../scripts/k8s/zip.ts";

test("a CRD becomes one strict schema per version, named {group}/{kind}_{version}.json", () => {
  const crd = {
    kind: "CustomResourceDefinition",
    spec: {
      group: "dapr.io",
      names: { kind: "Component" },
      versions: [
        {
          name: "v1alpha1",
          schema: {
            openAPIV3Schema: { type: "object", properties: { spec: { type: "object", properties: {} } } },
          },
        },
      ],
    },
  };
  const [schema] = crdSchemas(crd);
  expect(schema?.path).toBe("dapr.io/component_v1alpha1.json");
  expect(schema?.schema).toEqual({
    type: "object",
    additionalProperties: false,
    properties: { spec: { type: "object", properties: {}, additionalProperties: false } },
  });
});

test("strictness spares objects that keep unknown fields, and int-or-string becomes a oneOf", () => {
  expect(strict({ properties: { a: {} }, "x-kubernetes-preserve-unknown-fields": true })).not.toHaveProperty(
    "additionalProperties",
  );
  expect(strict({ properties: { port: { format: "int-or-string" } } })).toEqual({
    properties: { port: { oneOf: [{ type: "string" }, { type: "integer" }] } },
    additionalProperties: false,
  });
});

test("the wheel's schemas lose their remote $id and point at the definitions beside them", () => {
  const text = JSON.stringify({
    $id: "https://kubernetes.io/api/configmap/v1",
    properties: { metadata: { $ref: "/api/_definitions.json#/$defs/ObjectMeta" } },
  });
  expect(JSON.parse(offlineSchema(text))).toEqual({
    properties: { metadata: { $ref: "_definitions.json#/$defs/ObjectMeta" } },
  });
});

test("zip entries under a prefix are read back, stored or deflated", () => {
  const zip = buildZip([
    ["schemas/a.json", new TextEncoder().encode('{"a":1}'), 0],
    ["schemas/b.json", new TextEncoder().encode('{"b":2}'), 8],
    ["other/c.json", new TextEncoder().encode("{}"), 0],
  ]);
  const entries = readZipEntries(zip, "schemas/");
  expect([...entries.keys()]).toEqual(["schemas/a.json", "schemas/b.json"]);
  expect(new TextDecoder().decode(entries.get("schemas/b.json"))).toBe('{"b":2}');
});

/** A minimal zip writer for the test: local headers, central directory, end record. */
function buildZip(files: Array<[string, Uint8Array, 0 | 8]>): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const [name, data, method] of files) {
    const nameBytes = new TextEncoder().encode(name);
    const body = method === 8 ? deflateRawSync(data) : data;
    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, 0x04034b50, true);
    local.setUint16(8, method, true);
    local.setUint32(18, body.length, true);
    local.setUint32(22, data.length, true);
    local.setUint16(26, nameBytes.length, true);
    parts.push(new Uint8Array(local.buffer), nameBytes, body);
    const entry = new DataView(new ArrayBuffer(46));
    entry.setUint32(0, 0x02014b50, true);
    entry.setUint16(10, method, true);
    entry.setUint32(20, body.length, true);
    entry.setUint32(24, data.length, true);
    entry.setUint16(28, nameBytes.length, true);
    entry.setUint32(42, offset, true);
    central.push(new Uint8Array(entry.buffer), nameBytes);
    offset += 30 + nameBytes.length + body.length;
  }
  const centralSize = central.reduce((n, part) => n + part.length, 0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(10, files.length, true);
  end.setUint32(12, centralSize, true);
  end.setUint32(16, offset, true);
  return new Uint8Array(Buffer.concat([...parts, ...central, new Uint8Array(end.buffer)]));
}
