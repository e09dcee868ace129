import { describe, expect, test } from "bun:test";
import { ProblemError } from "@nudge/http";
import { decodeCursor, encodeCursor } from "./cursor.ts";

const forged = (s: unknown, f = "fp") => Buffer.from(JSON.stringify({ s, f })).toString("base64url");

describe("history cursors", () => {
  test("a cursor this API issued reads back as its position", () => {
    expect(decodeCursor(encodeCursor("9223372036854775807", "fp"), "fp")).toBe("9223372036854775807");
  });

  test("a position beyond bigint, or not a number, is a 400 — never a failing comparison in SQL", () => {
    for (const s of ["9223372036854775808", "9999999999999999999", "-1", "1e3", 12, "", "1 or 1=1"]) {
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
});
