import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  type App,
  daprError,
  deniedByPolicy,
  type PolicyIds,
  pathFor,
  REFUSED,
} from "../mesh/intended-policy.ts";
import { type Client, newUser, portForward, runningPodOf } from "./cluster.ts";

/**
 * Dapr's access control as the cluster runs it: the overlay's Configurations, identities from
 * the chart's sentry (SPIFFE ids in namespace nudge), the Kubernetes name resolution. Each call
 * goes into a pod's own daprd (its HTTP API, reached by a port-forward as the app reaches it on
 * localhost) and from there across the pod network to the callee's sidecar — the path the
 * apps' own calls take. Same intended policy as the self-hosted mesh test.
 */
const APPS: App[] = [
  "task-api",
  "notification-service",
  "recurrence-service",
  "audit-service",
  "realtime-gateway",
];
const sidecars = new Map<App, { url: string; stop(): void }>();
let owner: Client & { email: string };
let ids: PolicyIds;

beforeAll(async () => {
  owner = await newUser("acl");
  const task = await owner.api("POST", "/tasks", {
    title: "Water the plants",
    dueAt: new Date(Date.now() + 86_400_000).toISOString(),
  });
  expect(task.status).toBe(201);
  const reminder = await owner.api("POST", `/tasks/${task.body.id}/reminders`, {
    at: new Date(Date.now() + 3_600_000).toISOString(),
  });
  expect(reminder.status).toBe(201);
  const series = await owner.api("POST", "/tasks", {
    title: "Weekly review",
    dueAt: new Date(Date.now() + 86_400_000).toISOString(),
    recurrence: "FREQ=WEEKLY",
  });
  expect(series.status).toBe(201);
  ids = { reminder: reminder.body.id, series: series.body.series.id, task: task.body.id, owner: owner.user };
  for (const app of APPS) sidecars.set(app, await portForward(await runningPodOf(app), 3500));
}, 120_000);

afterAll(() => {
  for (const sidecar of sidecars.values()) sidecar.stop();
});

async function invoke(caller: App, callee: App, method: string, path: string) {
  const response = await fetch(`${sidecars.get(caller)?.url}/v1.0/invoke/${callee}/method/${path}`, {
    method,
    headers: method === "GET" ? {} : { "content-type": "application/json" },
    body: method === "GET" ? undefined : "{}",
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  return {
    status: response.status,
    text,
    denied: deniedByPolicy({ status: response.status, text }, caller, method),
  };
}

/**
 * realtime-gateway's service-invocation port is closed by its NetworkPolicy (nobody calls it):
 * there the network refuses before Dapr's policy is asked, and the caller's daprd says it could not dial.
 */
function closedByPolicy(response: { status: number; text: string }) {
  const error = daprError(response.text);
  return (
    response.status === 500 &&
    error?.errorCode === "ERR_DIRECT_INVOKE" &&
    /realtime-gateway.*dial tcp [\d.]+:50002/.test(error.message)
  );
}

describe("Dapr access control in the cluster", () => {
  test("notification-service's sidecar reads a reminder with its owner's address from task-api", async () => {
    const response = await invoke(
      "notification-service",
      "task-api",
      "GET",
      `internal/reminders/${ids.reminder}`,
    );
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toMatchObject({
      reminder: { id: ids.reminder },
      owner: { userId: ids.owner, email: owner.email },
    });
  });

  test("recurrence-service's sidecar reads a series; realtime-gateway's replays a user's events", async () => {
    const series = await invoke("recurrence-service", "task-api", "GET", `internal/series/${ids.series}`);
    expect(series.status).toBe(200);
    expect(JSON.parse(series.text)).toMatchObject({ id: ids.series });
    const live = await invoke(
      "realtime-gateway",
      "audit-service",
      "GET",
      `internal/users/${ids.owner}/live?after=00000000-0000-0000-0000-000000000000`,
    );
    expect(live.status).toBe(200);
    expect(JSON.parse(live.text)).toMatchObject({ items: expect.any(Array) });
  });

  test("every call the intended policy refuses is refused by the mesh, never answered by an app", async () => {
    // At once: a refusal is a transport error to the caller's sidecar, which retries it with
    // back-off (~7 s) whatever the Resiliency says.
    const outcomes = await Promise.all(
      REFUSED.map(async ([caller, callee, method, template]) => {
        const response = await invoke(caller, callee, method, pathFor(template, ids));
        // Told by the refusal's source (daprd's error body), never by its status alone.
        const refused = response.denied || closedByPolicy(response);
        return refused && !response.text.includes(owner.email)
          ? undefined
          : `${caller} → ${method} ${callee} /${template}: ${response.status} ${response.text.slice(0, 300)}`;
      }),
    );
    expect(outcomes.filter(Boolean)).toEqual([]);
  }, 120_000);
});
