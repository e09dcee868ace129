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
