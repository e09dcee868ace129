import { describe, expect, test } from "bun:test";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import fc from "fast-check";
import { INSTANT_PATTERN, Instant, MAX_YEAR, MIN_YEAR, Text, TIME_ZONES, TimeZone } from "./common.ts";

const seed = Number(process.env.PROPERTY_SEED ?? Date.now() % 2_147_483_647);
console.log(`property seed: ${seed} (PROPERTY_SEED=${seed} reproduces)`);
const params = { seed, numRuns: 1000 };

/**
 * The judge: what the published JSON Schema keywords mean (JSON Schema counts lengths in code
 * points; patterns are ECMA-262 regular expressions), applied independently of our validator.
 */
function schemaAccepts(schema: { minLength?: number; maxLength: number; pattern: string }, value: string) {
  const length = Array.from(value).length;
  return (
    length >= (schema.minLength ?? 0) &&
    length <= schema.maxLength &&
    new RegExp(schema.pattern, "u").test(value)
  );
}

describe("Text accepts exactly what its published schema says", () => {
  const characters = fc.oneof(
    fc.string({ unit: "binary", maxLength: 12 }),
    fc.string({
      unit: fc.constantFrom(" ", "\t", "\u00a0", "\u3000", "\ufeff", "\u0000", "a", "😀"),
      maxLength: 8,
    }),
  );
  for (const notBlank of [false, true]) {
    test(notBlank ? "not-blank text" : "any text", () => {
      const schema = Text({ minLength: 1, maxLength: 6, notBlank });
      const check = TypeCompiler.Compile(schema);
      fc.assert(
        fc.property(characters, (value) => {
          expect(check.Check(value)).toBe(schemaAccepts(schema as never, value));
        }),
        params,
      );
    });
  }

  test("a lone surrogate, which no JSON Schema keyword can exclude, is refused", () => {
    const check = TypeCompiler.Compile(Text({ maxLength: 10 }));
    fc.assert(
      fc.property(fc.integer({ min: 0xd800, max: 0xdfff }), fc.string({ maxLength: 3 }), (unit, rest) => {
        expect(check.Check(rest + String.fromCharCode(unit))).toBe(false);
      }),
      params,
    );
  });
});

describe("Instant accepts exactly the real instants of years 1970–2999", () => {
  const pad = (n: number, width = 2) => String(n).padStart(width, "0");
  test("against the calendar of Date.UTC", () => {
    const check = TypeCompiler.Compile(Instant);
    fc.assert(
      fc.property(
        fc.record({
          year: fc.integer({ min: 1900, max: 3100 }),
          month: fc.integer({ min: 0, max: 13 }),
          day: fc.integer({ min: 0, max: 32 }),
          hour: fc.integer({ min: 0, max: 25 }),
          minute: fc.integer({ min: 0, max: 60 }),
          offset: fc.constantFrom("Z", "+00:00", "-05:30", "+14:00", "+24:00"),
        }),
        ({ year, month, day, hour, minute, offset }) => {
          const text = `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:00${offset}`;
          const date = new Date(Date.UTC(year, month - 1, day));
          const realDate =
            month >= 1 && month <= 12 && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
          const real =
            realDate &&
            year >= MIN_YEAR &&
            year <= MAX_YEAR &&
            hour < 24 &&
            minute < 60 &&
            offset !== "+24:00";
          expect(check.Check(text)).toBe(real);
          expect(new RegExp(INSTANT_PATTERN).test(text)).toBe(real);
          if (real) expect(Number.isNaN(new Date(text).getTime())).toBe(false);
        },
      ),
      params,
    );
  });
});

describe("TimeZone", () => {
  test("every listed zone is one the runtime resolves to itself", () => {
    for (const zone of TIME_ZONES) {
      expect(new Intl.DateTimeFormat("en-US", { timeZone: zone }).resolvedOptions().timeZone).toBe(zone);
    }
    const check = TypeCompiler.Compile(TimeZone);
    expect(check.Check("Europe/Berlin")).toBe(true);
    for (const zone of ["US/Pacific-New", "+14:00", "europe/berlin", "", "Mars/Base"])
      expect(check.Check(zone)).toBe(false);
  });
});
