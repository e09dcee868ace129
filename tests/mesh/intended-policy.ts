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

/** Dapr's own refusal, from the caller's sidecar (an app's 403 is a problem+json instead). */
export function deniedByPolicy(status: number, text: string): boolean {
  return status === 403 && /access control policy has denied access/.test(text);
}
