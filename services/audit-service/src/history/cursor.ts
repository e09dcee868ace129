import { ProblemError } from "@nudge/http";

/**
 * Keyset cursor over the ingest sequence, bound to the filters it was issued for: a page never
 * skips or repeats a row while new rows are appended.
 */
interface Cursor {
  s: string; // the last row's seq
  f: string; // fingerprint of the filters
}

const MAX_BIGINT = 9_223_372_036_854_775_807n;

export const badQuery = (field: string, message: string) =>
  new ProblemError(400, "invalid-query", "Invalid query", `${field}: ${message}`, [{ field, message }]);

export function encodeCursor(seq: string, fingerprint: string): string {
  return Buffer.from(JSON.stringify({ s: seq, f: fingerprint } satisfies Cursor)).toString("base64url");
}

export function decodeCursor(text: string | undefined, fingerprint: string): string | undefined {
  if (text === undefined) return undefined;
  let cursor: Partial<Cursor>;
  try {
    cursor = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    throw badQuery("query.cursor", "is not a cursor this API issued");
  }
  // seq is a bigint: a larger number would fail the comparison in SQL instead of matching nothing.
  if (typeof cursor?.s !== "string" || !/^\d{1,19}$/.test(cursor.s) || BigInt(cursor.s) > MAX_BIGINT) {
    throw badQuery("query.cursor", "is not a cursor this API issued");
  }
  if (cursor.f !== fingerprint) {
    throw badQuery("query.cursor", "belongs to different filters; start again without a cursor");
  }
  return cursor.s;
}
