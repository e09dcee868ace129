import { describe, expect, test } from "bun:test";
import { operatorTokenMatches, readiness } from "./operator.ts";

describe("operator checks", () => {
  test("the operator token must be presented exactly, and no configured token admits nobody", () => {
    const token = "operator-token-0123456789";
    expect(operatorTokenMatches(`Bearer ${token}`, token)).toBe(true);
    expect(operatorTokenMatches(`Bearer ${token}x`, token)).toBe(false);
    expect(operatorTokenMatches(undefined, token)).toBe(false);
    expect(operatorTokenMatches("Bearer anything", undefined)).toBe(false);
  });

  test("a service is ready only when every check answers, and a failing check says which", async () => {
    const set: { status?: number } = {};
    expect(await readiness({ database: async () => [1], dapr: async () => true }, set)).toEqual({
      status: "ready",
      database: true,
      dapr: true,
    });
    expect(set.status).toBeUndefined();
    const failing = await readiness(
      { database: () => Promise.reject(new Error("down")), dapr: async () => false },
      set,
    );
    expect(failing).toEqual({ status: "not ready", database: false, dapr: false });
    expect(set.status).toBe(503);
  });
});
