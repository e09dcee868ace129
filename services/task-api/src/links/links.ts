import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/**
 * Signed links in emails. A link grants exactly one action on one object for one user until it
 * expires, and nothing else: the claims say which, an HMAC-SHA256 over them says we wrote them.
 *
 *   token = base64url(JSON claims) "." base64url(HMAC-SHA256(key, "nudge-link.v1." + first part))
 *
 * The claims name the key they were signed with (`k`, a fingerprint, never the key), so during a
 * rotation a link signed with the previous key is still accepted, and after it a clear page says
 * the link is no longer valid. Signing is deterministic: the same claims and key always give the
 * same token, so a re-rendered email is byte-for-byte the email sent before (idempotent sends).
 */
export type LinkAction =
  | "done"
  | "snooze-hour"
  | "snooze-tomorrow"
  | "open"
  | "reopen"
  | "settings"
  | "unsubscribe";

export const LINK_ACTIONS: readonly LinkAction[] = [
  "done",
  "snooze-hour",
  "snooze-tomorrow",
  "open",
  "reopen",
  "settings",
  "unsubscribe",
];

/** Which emails an unsubscribe link turns off. */
export type MailingList = "reminders" | "digest";

export interface LinkClaims {
  action: LinkAction;
  userId: string;
  /** Epoch seconds; the link is refused from then on. */
  expiresAt: number;
  taskId?: string;
  /** The task's version the email showed: a task changed since is not acted on blindly. */
  taskVersion?: number;
  /** Snooze links of a reminder email: the reminder and the occurrence that fired. */
  reminderId?: string;
  occurrenceKey?: string;
  list?: MailingList;
}

export interface LinkKey {
  /** Short public fingerprint of the secret, carried in the token. */
  id: string;
  secret: string;
}

export interface LinkKeys {
  current: LinkKey;
  /** Still accepted while links signed before a rotation are in people's inboxes. */
  previous?: LinkKey;
}

export type LinkCheck =
  | { valid: true; claims: LinkClaims; linkId: string; signedWithPrevious: boolean }
  | { valid: false; reason: "malformed" | "bad-signature" | "unknown-key" | "expired" };

const CONTEXT = "nudge-link.v1.";
/** Bounds what a verifier reads before it has checked anything. */
export const MAX_TOKEN_LENGTH = 1024;

export function linkKey(secret: string): LinkKey {
  const id = createHash("sha256").update(`nudge-link-key:${secret}`).digest("base64url").slice(0, 8);
  return { id, secret };
}

const mac = (secret: string, payload: string) =>
  createHmac("sha256", secret).update(CONTEXT).update(payload).digest();

/** Short keys on the wire keep the URLs short; the order is fixed so signing is deterministic. */
interface Wire {
  v: 1;
  k: string;
  a: LinkAction;
  u: string;
  e: number;
  t?: string;
  n?: number;
  r?: string;
  o?: string;
  l?: MailingList;
}

export function signLink(keys: LinkKeys, claims: LinkClaims): string {
  const wire: Wire = {
    v: 1,
    k: keys.current.id,
    a: claims.action,
    u: claims.userId,
    e: Math.floor(claims.expiresAt),
    ...(claims.taskId !== undefined ? { t: claims.taskId } : {}),
    ...(claims.taskVersion !== undefined ? { n: claims.taskVersion } : {}),
    ...(claims.reminderId !== undefined ? { r: claims.reminderId } : {}),
    ...(claims.occurrenceKey !== undefined ? { o: claims.occurrenceKey } : {}),
    ...(claims.list !== undefined ? { l: claims.list } : {}),
  };
  const payload = Buffer.from(JSON.stringify(wire)).toString("base64url");
  return `${payload}.${mac(keys.current.secret, payload).toString("base64url")}`;
}

const isString = (value: unknown, max = 200): value is string =>
  typeof value === "string" && value.length > 0 && value.length <= max;

/** The claims of a payload whose signature checked out; still validated, never trusted blindly. */
function claimsOf(wire: Record<string, unknown>): LinkClaims | undefined {
  const { a, u, e, t, n, r, o, l } = wire;
  if (!LINK_ACTIONS.includes(a as LinkAction) || !isString(u) || !Number.isSafeInteger(e)) return undefined;
  if (t !== undefined && !isString(t, 36)) return undefined;
  if (n !== undefined && !(Number.isSafeInteger(n) && (n as number) > 0)) return undefined;
  if (r !== undefined && !isString(r, 36)) return undefined;
  if (o !== undefined && !isString(o)) return undefined;
  if (l !== undefined && l !== "reminders" && l !== "digest") return undefined;
  return {
    action: a as LinkAction,
    userId: u,
    expiresAt: e as number,
    ...(t !== undefined ? { taskId: t } : {}),
    ...(n !== undefined ? { taskVersion: n as number } : {}),
    ...(r !== undefined ? { reminderId: r } : {}),
    ...(o !== undefined ? { occurrenceKey: o } : {}),
    ...(l !== undefined ? { list: l } : {}),
  };
}

/** Checks a token as it came from a URL: shape, key, signature (in constant time), then expiry. */
export function verifyLink(keys: LinkKeys, token: string, now: Date = new Date()): LinkCheck {
  if (token.length > MAX_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/.test(token)) {
    return { valid: false, reason: "malformed" };
  }
  const [payload = "", signature = ""] = token.split(".");
  let wire: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      throw new Error("not an object");
    wire = parsed as Record<string, unknown>;
  } catch {
    return { valid: false, reason: "malformed" };
  }
  // base64url has more than one spelling of the same bytes; only the canonical one is ours.
  if (Buffer.from(payload, "base64url").toString("base64url") !== payload || wire.v !== 1) {
    return { valid: false, reason: "malformed" };
  }
  const key = [keys.current, keys.previous].find((candidate) => candidate && candidate.id === wire.k);
  if (!key) return { valid: false, reason: "unknown-key" };
  const given = Buffer.from(signature, "base64url");
  const expected = mac(key.secret, payload);
  // 43 characters carry 258 bits: the last one has two spare bits, which must be zero.
  const canonical = given.toString("base64url") === signature;
  if (!canonical || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { valid: false, reason: "bad-signature" };
  }
  const claims = claimsOf(wire);
  if (!claims) return { valid: false, reason: "malformed" };
  if (claims.expiresAt * 1000 <= now.getTime()) return { valid: false, reason: "expired" };
  return {
    valid: true,
    claims,
    // Names the link in the single-use ledger (email_link_uses) without storing the token.
    linkId: createHash("sha256").update(payload).digest("base64url").slice(0, 32),
    signedWithPrevious: key !== keys.current,
  };
}
