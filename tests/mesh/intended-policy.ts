/**
 * Who may not call what through Dapr: the intended access policy written out call by call, not
 * derived from the policy files. The self-hosted mesh test (access-control.test.ts) and the test
 * cluster (tests/cluster/access-control.test.ts) both try every call against real sidecars.
 */
export type App =
  | "task-api"
  | "notification-service"
  | "recurrence-service"
  | "audit-service"
  | "realtime-gateway";

/** [caller, callee, method, path template]; {reminder} {series} {task} {owner} are real ids. */
export const REFUSED: ReadonlyArray<readonly [App, App, string, string]> = [
  // No app but notification-service reads reminders or records notifications …
  ["realtime-gateway", "task-api", "GET", "internal/reminders/{reminder}"],
  ["recurrence-service", "task-api", "GET", "internal/reminders/{reminder}"],
  ["audit-service", "task-api", "GET", "internal/reminders/{reminder}"],
  ["realtime-gateway", "task-api", "POST", "internal/notifications"],
  ["recurrence-service", "task-api", "POST", "internal/notifications"],
  // … and it only with the verbs it uses.
  ["notification-service", "task-api", "POST", "internal/reminders/{reminder}"],
  ["notification-service", "task-api", "DELETE", "internal/reminders/{reminder}"],
  ["notification-service", "task-api", "GET", "internal/notifications"],
  // No app but recurrence-service touches series.
  ["notification-service", "task-api", "GET", "internal/series/{series}"],
  ["realtime-gateway", "task-api", "POST", "internal/series/{series}/occurrences"],
  ["realtime-gateway", "task-api", "POST", "internal/series/{series}/end"],
  ["recurrence-service", "task-api", "DELETE", "internal/series/{series}"],
  // Routes nobody needs through the mesh any more.
  ["notification-service", "task-api", "GET", "internal/tasks/{task}/owner/{owner}"],
  ["realtime-gateway", "task-api", "GET", "internal/tasks/{task}/owner/{owner}"],
  ["recurrence-service", "task-api", "POST", "internal/tasks"],
  // Public routes are for clients over HTTPS, not for the mesh.
  ["realtime-gateway", "task-api", "GET", "tasks"],
  ["realtime-gateway", "task-api", "GET", "healthz"],
  // Only realtime-gateway replays history, and nobody reaches an operator route this way.
  ["notification-service", "audit-service", "GET", "internal/users/{owner}/live"],
  ["task-api", "audit-service", "GET", "internal/users/{owner}/live"],
  ["realtime-gateway", "audit-service", "POST", "internal/users/{owner}/live"],
  ["realtime-gateway", "audit-service", "GET", "operator/dead-letters"],
  ["realtime-gateway", "audit-service", "POST", "operator/dead-letters/replay"],
  // Apps nobody calls refuse everyone.
  ["task-api", "notification-service", "GET", "operator/deliveries"],
  ["realtime-gateway", "notification-service", "GET", "healthz"],
  ["notification-service", "recurrence-service", "GET", "healthz"],
  ["task-api", "realtime-gateway", "GET", "healthz"],
  // What a caller's own grant covers ends at the path it names: no traversal past it.
  [
    "notification-service",
    "task-api",
    "GET",
    "internal/reminders/{reminder}/../../tasks/{task}/owner/{owner}",
  ],
  ["notification-service", "task-api", "GET", "internal/reminders/%2e%2e/tasks"],
  ["notification-service", "task-api", "GET", "internal/reminders/{reminder}/extra"],
  ["recurrence-service", "task-api", "GET", "internal/series/../reminders/{reminder}"],
];

export interface PolicyIds {
  reminder: string;
  series: string;
  task: string;
  owner: string;
}

export function pathFor(template: string, ids: PolicyIds): string {
  return template
    .replace("{reminder}", ids.reminder)
    .replace("{series}", ids.series)
    .replace("{task}", ids.task)
    .replace("{owner}", ids.owner);
}

/** daprd's own error body; an app's errors are application/problem+json instead. */
export function daprError(text: string): { errorCode: string; message: string } | undefined {
  try {
    const body = JSON.parse(text) as { errorCode?: unknown; message?: unknown };
    return typeof body.errorCode === "string" && typeof body.message === "string"
      ? { errorCode: body.errorCode, message: body.message }
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A refusal by Dapr's access-control policy, told by its source, not its status: daprd's
 * ERR_DIRECT_INVOKE carrying the callee sidecar's gRPC PermissionDenied, which names the
 * caller's SPIFFE id and the verb. Dapr resolves `..` and %2e%2e before the policy is asked, so
 * a traversal is refused the same way; an app's own 400 or 403 never matches.
 */
export function deniedByPolicy(response: { status: number; text: string }, caller: App, method: string) {
  const error = daprError(response.text);
  const denial = new RegExp(
    `code = PermissionDenied desc = access control policy has denied access to id: spiffe://[^/\\s]+/ns/[^/\\s]+/${caller} operation: \\S+ verb: ${method}$`,
  );
  return response.status === 403 && error?.errorCode === "ERR_DIRECT_INVOKE" && denial.test(error.message);
}
