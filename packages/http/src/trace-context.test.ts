import { describe, expect, test } from "bun:test";
import { TRACESTATE_MAX_LENGTH, traceContext, validTraceparent, validTracestate } from "./trace-context.ts";

const VALID = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

describe("traceparent", () => {
  test("a well-formed version 00 header is kept as sent", () => {
    expect(validTraceparent(VALID)).toBe(VALID);
  });

  test.each([
    ["9 000 bytes (the header that stalled publishing)", `${VALID}-${"a".repeat(9000)}`],
    ["uppercase hex", VALID.toUpperCase()],
    ["version ff", VALID.replace(/^00/, "ff")],
    ["an all-zero trace id", `00-${"0".repeat(32)}-b7ad6b7169203331-01`],
    ["an all-zero parent id", `00-0af7651916cd43dd8448eb211c80319c-${"0".repeat(16)}-01`],
    ["a short trace id", "00-0af7651916cd43dd8448eb211c8031-b7ad6b7169203331-01"],
    ["extra fields on version 00", `${VALID}-extra`],
    ["another separator", VALID.replaceAll("-", "_")],
    ["two headers folded into one", `${VALID}, ${VALID}`],
    ["non-hex flags", VALID.replace(/01$/, "0g")],
    ["NUL and control characters", `${VALID.slice(0, 54)}\u0000`],
    ["the empty string", ""],
  ])("is dropped with %s", (_, value) => {
    expect(validTraceparent(value)).toBeUndefined();
  });

  test("a future version is read from its first 55 characters and passed on as version 00", () => {
    expect(validTraceparent(`cc-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-what-comes-next`)).toBe(
      VALID,
    );
    expect(validTraceparent(`cc-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01`)).toBe(VALID);
    expect(validTraceparent(`cc-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01x`)).toBeUndefined();
  });

  test("any one-character change of a valid header is judged as the spec's grammar judges it", () => {
    // The judge: the spec's ABNF for a 55-character header (any version but ff; ids not all
    // zero), written independently; a version other than 00 is passed on as 00.
    const grammar = /^(?!ff)[0-9a-f]{2}(-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2})$/;
    const seed = Number(process.env.TRACE_SEED ?? Date.now() % 2 ** 31);
    let state = seed;
    const random = () => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return state / 2 ** 31;
    };
    const alphabet = "0123456789abcdefABCDEF-_ zg\u0000é";
    for (let i = 0; i < 2000; i++) {
      const at = Math.floor(random() * VALID.length);
      const char = alphabet[Math.floor(random() * alphabet.length)] as string;
      const mutated = VALID.slice(0, at) + char + VALID.slice(at + 1);
      const match = grammar.exec(mutated);
      const expected = match ? `00${match[1]}` : undefined;
      if (validTraceparent(mutated) !== expected) {
        throw new Error(`seed ${seed}: ${JSON.stringify(mutated)} judged ${validTraceparent(mutated)}`);
      }
    }
  });
});

describe("tracestate", () => {
  test("list members are kept, blank ones dropped", () => {
    expect(validTracestate("rojo=00f067aa0ba902b7, congo=t61rcWkgMzE,, ")).toBe(
      "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE",
    );
    expect(validTracestate("tenant@vendor=x")).toBe("tenant@vendor=x");
  });

  test.each([
    ["a key twice", "a=1,a=2"],
    ["an uppercase key", "Rojo=1"],
    ["a value with '='", "a=b=c"],
    ["a member without '='", "rojo"],
    ["a space in a key", "ro jo=1"],
    ["a non-ASCII value", "a=é"],
    ["33 members", Array.from({ length: 33 }, (_, i) => `k${i}=v`).join(",")],
    ["9 000 bytes", `a=${"b".repeat(9000)}`],
  ])("is dropped with %s", (_, value) => {
    expect(validTracestate(value)).toBeUndefined();
  });

  test(`a list over ${TRACESTATE_MAX_LENGTH} characters loses members from the end until it fits`, () => {
    const members = Array.from({ length: 10 }, (_, i) => `k${i}=${"v".repeat(100)}`);
    const kept = validTracestate(members.join(",")) as string;
    expect(kept.length).toBeLessThanOrEqual(TRACESTATE_MAX_LENGTH);
    expect(kept).toBe(members.slice(0, 4).join(","));
  });
});

describe("traceContext of a request", () => {
  test("keeps what is valid, from Headers or a plain record", () => {
    const headers = new Headers({ traceparent: VALID, tracestate: "rojo=1" });
    expect(traceContext(headers)).toEqual({ traceparent: VALID, tracestate: "rojo=1" });
    expect(traceContext({ traceparent: VALID })).toEqual({ traceparent: VALID });
  });

  test("drops tracestate when traceparent is invalid or missing", () => {
    expect(traceContext({ traceparent: "garbage", tracestate: "rojo=1" })).toEqual({});
    expect(traceContext({ tracestate: "rojo=1" })).toEqual({});
  });

  test("keeps a valid traceparent when only tracestate is invalid", () => {
    expect(traceContext({ traceparent: VALID, tracestate: "a=1,a=2" })).toEqual({ traceparent: VALID });
  });
});
