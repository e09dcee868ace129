import { describe, expect, test } from "bun:test";
import { bySize } from "./record.ts";

describe("a chunk's notifications are sent in parts task-api takes", () => {
  test("each part stays under the limit, in order, nothing lost", () => {
    const items = Array.from({ length: 100 }, (_, i) => ({ i, title: "t".repeat(i * 20) }));
    const parts = bySize(items, 48 * 1024);
    expect(parts.flat()).toEqual(items);
    for (const part of parts)
      expect(JSON.stringify({ notifications: part }).length).toBeLessThan(48 * 1024 + 64);
    expect(parts.length).toBeGreaterThan(1);
    expect(bySize([], 10)).toEqual([]);
  });
});
