import { timingSafeEqual } from "node:crypto";

/**
 * Does `Authorization: Bearer <token>` carry the operator token? Compared in constant time;
 * with no token configured nothing matches, so operator endpoints refuse everything.
 */
export function operatorTokenMatches(header: string | undefined, token: string | undefined): boolean {
  const given = header?.replace(/^Bearer /, "");
  return (
    token !== undefined &&
    given !== undefined &&
    given.length === token.length &&
    timingSafeEqual(Buffer.from(given), Buffer.from(token))
  );
}

/**
 * GET /readyz for a service: every named check must answer true (a check that throws counts as
 * false); 503 otherwise, with each check's result in the body.
 */
export async function readiness(
  checks: Record<string, () => Promise<unknown>>,
  set: { status?: number | string },
): Promise<Record<string, unknown>> {
  const names = Object.keys(checks);
  const results = await Promise.all(
    names.map((name) =>
      (checks[name] as () => Promise<unknown>)().then(
        (ok) => ok !== false,
        () => false,
      ),
    ),
  );
  const ready = results.every(Boolean);
  if (!ready) set.status = 503;
  return {
    status: ready ? "ready" : "not ready",
    ...Object.fromEntries(names.map((n, i) => [n, results[i]])),
  };
}
