import { ProblemError } from "@nudge/http";

/**
 * Keyset cursor over event ids (UUIDv7: creation order), bound to the filters it was issued
 * for: a page never skips or repeats a row while newer events are appended.
 */
interface Cursor {
  s: string; // the last row's event id
  f: string; // fingerprint of the filters
}

/** What an event id can be (a CloudEvent id as the contracts bound it): printable ASCII, ≤ 200. */
const EVENT_ID = /^[\x21-\x7e]{1,200}$/;

export const badQuery = (field: string, message: string) =>
  new ProblemError(400, "invalid-query", "Invalid query", `${field}: ${message}`, [{ field, message }]);

export function encodeCursor(eventId: string, fingerprint: string): string {
  return Buffer.from(JSON.stringify({ s: eventId, f: fingerprint } satisfies Cursor)).toString("base64url");
}

export function decodeCursor(text: string | undefined, fingerprint: string): string | undefined {
  if (text === undefined) return undefined;
  let cursor: Partial<Cursor>;
  try {
    cursor = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    throw badQuery("query.cursor", "is not a cursor this API issued");
  }
  if (typeof cursor?.s !== "string" || !EVENT_ID.test(cursor.s)) {
    throw badQuery("query.cursor", "is not a cursor this API issued");
  }
  if (cursor.f !== fingerprint) {
    throw badQuery("query.cursor", "belongs to different filters; start again without a cursor");
  }
  return cursor.s;
}
