import { createHash, timingSafeEqual } from "node:crypto";

const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();

/**
 * Is `given` the configured secret? Both sides are hashed first, so the comparison is over two
 * 32-byte digests: constant time, independent of either length, and it cannot throw whatever
 * the header holds (a same-length string of multi-byte characters used to make
 * timingSafeEqual throw, and the 500 revealed the secret's length). No secret, no match.
 */
export function secretMatches(given: string | undefined, secret: string | undefined): boolean {
  if (secret === undefined || secret === "" || given === undefined) return false;
  return timingSafeEqual(digest(given), digest(secret));
}

/** Does `Authorization: Bearer <token>` carry the secret? */
export function bearerSecretMatches(header: string | undefined, secret: string | undefined): boolean {
  if (header === undefined || !header.startsWith("Bearer ")) return false;
  return secretMatches(header.slice("Bearer ".length), secret);
}
