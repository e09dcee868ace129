import { describe, expect, test } from "bun:test";
import { ProblemError } from "@nudge/http";
import { decodeCursor, encodeCursor } from "./cursor.ts";

const forged = (s: unknown, f = "fp") => Buffer.from(JSON.stringify({ s, f })).toString("base64url");

describe("history cursors", () => {
  test("a cursor this API issued reads back as its event id", () => {
    const id = "019ade2c-6f4a-7c1e-9b3d-2f1a0c9e8d7b";
    expect(decodeCursor(encodeCursor(id, "fp"), "fp")).toBe(id);
  });

  test("a position that is no event id is a 400 — never a comparison in SQL", () => {
    for (const s of ["", "a b", "x\u0000", "é", "x".repeat(201), 12, null, ["a"]]) {
      const refusal = (() => {
        try {
          decodeCursor(forged(s), "fp");
        } catch (error) {
          return error;
        }
      })();
      expect(refusal).toBeInstanceOf(ProblemError);
      expect((refusal as ProblemError).status).toBe(400);
    }
  });

  test("a cursor issued for other filters is a 400", () => {
    expect(() => decodeCursor(encodeCursor("e1", "other"), "fp")).toThrow(ProblemError);
  });
});
