import { type LinkAction, type LinkCheck, type LinkKeys, verifyLink } from "./links.ts";

export type LinkRefusal = Extract<LinkCheck, { valid: false }>["reason"] | "wrong-kind" | "read-only";

/** verifyLink, and the link must be one of the kinds this route serves (a settings link is no task link). */
export function checkLink(
  keys: LinkKeys,
  token: string,
  allowed: readonly LinkAction[],
): Extract<LinkCheck, { valid: true }> | { valid: false; reason: LinkRefusal } {
  const check = verifyLink(keys, token);
  if (check.valid && !allowed.includes(check.claims.action)) return { valid: false, reason: "wrong-kind" };
  return check;
}
