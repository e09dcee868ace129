import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { JsonRejection, MAX_JSON_DEPTH, parseStrictJson } from "./json.ts";
import { secretMatches } from "./secrets.ts";

/** One seed per run, printed: a failure names the seed (and fast-check the path) that reproduces it. */
const seed = Number(process.env.PROPERTY_SEED ?? Date.now() % 2_147_483_647);
console.log(`property seed: ${seed} (PROPERTY_SEED=${seed} reproduces)`);
const params = { seed, numRuns: 300 };

const rejection = (text: string) => {
  try {
    parseStrictJson(text);
    return undefined;
  } catch (error) {
    if (error instanceof JsonRejection) return error;
    throw error;
  }
};

describe("strict JSON parsing", () => {
  test("agrees with JSON.parse on every document without duplicates, NUL, lone surrogates or deep nesting", () => {
    const storable = (s: string) => !s.includes("\u0000") && s.isWellFormed() && s !== "__proto__";
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: "small", maxDepth: MAX_JSON_DEPTH - 1 },
        fc.constant(null),
        fc.boolean(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.string({ unit: "binary" }).filter(storable),
        fc.array(tie("node"), { maxLength: 5 }),
        fc.dictionary(fc.string({ unit: "binary" }).filter(storable), tie("node"), { maxKeys: 5 }),
      ),
    })).node;
    fc.assert(
      fc.property(value, fc.constantFrom(0, 2), (v, indent) => {
        const text = JSON.stringify(v, null, indent);
        expect(parseStrictJson(text)).toEqual(JSON.parse(text));
      }),
      params,
    );
  });

  test("refuses what JSON.parse refuses, and never throws anything but a rejection", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 60 }), (text) => {
        let native = true;
        try {
          JSON.parse(text);
        } catch {
          native = false;
        }
        const ours = rejection(text);
        if (!native) expect(ours?.malformed).toBe(true);
      }),
      params,
    );
  });

  test("a key that appears twice in any object is named, at any depth", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 8, unit: "grapheme-ascii" }).filter((k) => k !== "__proto__"),
        fc.integer({ min: 0, max: 10 }),
        (key, depth) => {
          const inner = `{${JSON.stringify(key)}:1,${JSON.stringify(key)}:2}`;
          const text = `${'{"a":['.repeat(depth)}${inner}${"]}".repeat(depth)}`;
          const error = rejection(text);
          expect(error?.malformed).toBe(false);
          expect(error?.field).toBe(`body${".a.0".repeat(depth)}.${key}`);
        },
      ),
      params,
    );
  });

  test(`nesting up to ${MAX_JSON_DEPTH} levels parses, one more is refused`, () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.boolean(), (depth, objects) => {
        const [open, close] = objects ? ['{"k":', "}"] : ["[", "]"];
        const text = `${open.repeat(depth)}0${close.repeat(depth)}`;
        const error = rejection(text);
        if (depth <= MAX_JSON_DEPTH) expect(error).toBeUndefined();
        else expect(error?.message).toContain("nests deeper");
      }),
      params,
    );
  });

  test("U+0000 and lone surrogates are refused wherever they are, keys included", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("\\u0000", "\\ud800", "\\udfff", "\\udc00x", "x\\ud83d"),
        fc.boolean(),
        (bad, asKey) => {
          const text = asKey ? `{"${bad}":1}` : `{"a":["ok","${bad}"]}`;
          expect(rejection(text)?.malformed).toBe(false);
        },
      ),
      params,
    );
  });
});

describe("shared-secret comparison", () => {
  test("matches exactly the configured secret and never throws, whatever the header holds", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 40 }),
        fc.string({ unit: "binary", minLength: 1, maxLength: 40 }),
        (given, secret) => {
          expect(secretMatches(given, secret)).toBe(given === secret);
          expect(secretMatches(secret, secret)).toBe(true);
          expect(secretMatches([...secret].map(() => "é").join(""), secret)).toBe(
            [...secret].every((c) => c === "é"),
          );
        },
      ),
      params,
    );
    expect(secretMatches("anything", undefined)).toBe(false);
    expect(secretMatches(undefined, "secret")).toBe(false);
  });
});
