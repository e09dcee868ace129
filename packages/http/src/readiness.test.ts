import { describe, expect, test } from "bun:test";
import { readiness } from "./readiness.ts";

describe("readiness", () => {
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
