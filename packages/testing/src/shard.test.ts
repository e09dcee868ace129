import { describe, expect, test } from "bun:test";
import { parseShard, portSlice } from "./shard.ts";

describe("test shards", () => {
  test("the shards' port slices are disjoint and together cover the whole range", () => {
    for (const count of [1, 2, 3, 4, 7]) {
      const seen = new Set<number>();
      for (let index = 1; index <= count; index++) {
        const { lowest, highest } = portSlice(26_000, 29_999, { index, count });
        expect(highest).toBeGreaterThan(lowest);
        for (let port = lowest; port <= highest; port++) {
          expect(seen.has(port)).toBe(false);
          seen.add(port);
        }
      }
      expect(seen.size).toBe(4_000);
      expect(Math.min(...seen)).toBe(26_000);
      expect(Math.max(...seen)).toBe(29_999);
    }
  });

  test("a suite run whole picks from the whole range", () => {
    expect(portSlice(26_000, 29_999, undefined)).toEqual({ lowest: 26_000, highest: 29_999 });
  });

  test("NUDGE_TEST_SHARD reads i/n and refuses anything else", () => {
    expect(parseShard(undefined)).toBeUndefined();
    expect(parseShard("2/3")).toEqual({ index: 2, count: 3 });
    for (const bad of ["0/3", "4/3", "1/0", "2", "a/b", "1/3 "]) expect(() => parseShard(bad)).toThrow(bad);
  });
});
