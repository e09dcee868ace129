import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type RunningSidecar, STARTUP_TIMEOUT_MS, TEARDOWN_TIMEOUT_MS } from "@nudge/testing";
import { type AuditFixture, startAuditService } from "../audit-service/fixture.ts";
import { startTaskApi, type TaskApiFixture } from "../task-api/fixture.ts";
import { type App, deniedByPolicy, pathFor, REFUSED } from "./intended-policy.ts";

/**
 * Dapr access control between the apps (dapr/config.yaml, dapr/access-control/*.yaml), through
 * real sidecars with mTLS identities from a real sentry. The expectations are the intended
 * policy, written out call by call (intended-policy.ts) — not derived from the policy files.
 *
 * A refusal comes from the caller's sidecar: 403 with Dapr's own error (ERR_DIRECT_INVOKE, the
 * access-control policy's PermissionDenied naming caller and verb), so the callee's app never
 * sees the request; an app's own 400 or 403 is a problem+json, told apart by deniedByPolicy.
 */
let api: TaskApiFixture;
let audit: AuditFixture;
const callers: Record<string, RunningSidecar> = {};
const stubs: Array<{ stop(force?: boolean): void }> = [];
const CALLERS = ["notification-service", "recurrence-service", "realtime-gateway"] as const;
type Caller = App;

let reminderId = "";
let seriesId = "";
let taskId = "";
const owner = `user-${crypto.randomUUID()}`;

beforeAll(async () => {
  api = await startTaskApi();
  audit = await startAuditService(api);
  for (const appId of CALLERS) {
    // Behind these sidecars a stand-in that says it was reached: what matters is the sidecar's
    // identity as a caller, and whether a call gets through it to the app as a callee. POD_NAME
    // names realtime-gateway's live consumer group (dapr/components/pubsub-live.yaml).
    const stub = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response(`reached ${appId}`) });
    stubs.push(stub);
    callers[appId] = await api.stack.sidecar({
      appId,
      appPort: stub.port,
      env: { POD_NAME: `${appId}-acl-test` },
    });
  }
  const task = await api.request("POST", "/tasks", {
    user: owner,
    body: { title: "Water the plants", dueAt: new Date(Date.now() + 86_400_000).toISOString() },
  });
  expect(task.status).toBe(201);
  taskId = task.body.id;
  await api.request("PATCH", "/me/preferences", { user: owner, body: { email: "owner@example.test" } });
  const reminder = await api.request("POST", `/tasks/${taskId}/reminders`, {
    user: owner,
    body: { at: new Date(Date.now() + 3_600_000).toISOString() },
  });
  expect(reminder.status).toBe(201);
  reminderId = reminder.body.id;
  const series = await api.request("POST", "/tasks", {
    user: owner,
    body: {
      title: "Weekly review",
      dueAt: new Date(Date.now() + 86_400_000).toISOString(),
      recurrence: "FREQ=WEEKLY",
    },
  });
  expect(series.status).toBe(201);
  seriesId = series.body.series.id;
}, STARTUP_TIMEOUT_MS);

afterAll(async () => {
  await Promise.all(Object.values(callers).map((sidecar) => sidecar.stop()));
  for (const stub of stubs) stub.stop(true);
  await audit?.stop();
  await api?.stop();
}, TEARDOWN_TIMEOUT_MS);

function sidecarOf(caller: Caller): RunningSidecar {
  if (caller === "audit-service") return audit.sidecar;
  if (caller === "task-api") return api.sidecar;
  return callers[caller] as RunningSidecar;
}

async function invoke(
  caller: Caller,
  callee: string,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
) {
  const response = await fetch(`${sidecarOf(caller).httpUrl}/v1.0/invoke/${callee}/method/${path}`, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { "content-type": "application/json" }),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return {
    status: response.status,
    text,
    denied: deniedByPolicy({ status: response.status, text }, caller, method),
  };
}

describe("Dapr access control between the apps", () => {
  test("realtime-gateway's sidecar can no longer read a user's reminder, task and email from task-api", async () => {
    const response = await invoke("realtime-gateway", "task-api", "GET", `internal/reminders/${reminderId}`);
    expect(response.denied).toBe(true);
    expect(response.text).not.toContain("owner@example.test");
  });

  test("notification-service, the one that delivers reminders, still reads it", async () => {
    const response = await invoke(
      "notification-service",
      "task-api",
      "GET",
      `internal/reminders/${reminderId}`,
    );
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toMatchObject({
      reminder: { id: reminderId },
      task: { id: taskId },
      owner: { userId: owner, email: "owner@example.test" },
    });
  });

  test("recurrence-service still reads a series and asks for its next occurrence", async () => {
    const view = await invoke("recurrence-service", "task-api", "GET", `internal/series/${seriesId}`);
    expect(view.status).toBe(200);
    expect(JSON.parse(view.text)).toMatchObject({ id: seriesId });
    // An occurrence index that cannot be next: task-api itself answers (not the mesh).
    const occurrence = await invoke(
      "recurrence-service",
      "task-api",
      "POST",
      `internal/series/${seriesId}/occurrences`,
      {
        body: {},
      },
    );
    expect(occurrence.denied).toBe(false);
    expect(occurrence.status).toBe(422);
  });

  test("notification-service still records a delivery's in-app notification", async () => {
    // An empty body: the mesh lets it through and task-api's own validation refuses it.
    const response = await invoke("notification-service", "task-api", "POST", "internal/notifications", {
      body: {},
    });
    expect(response.denied).toBe(false);
    expect(response.status).toBe(422);
  });

  test("notification-service may use the batched delivery routes, with POST only", async () => {
    for (const path of ["internal/reminders/lookup", "internal/notifications/batch"]) {
      expect((await invoke("notification-service", "task-api", "POST", path, { body: {} })).denied).toBe(
        false,
      );
      expect((await invoke("notification-service", "task-api", "GET", path)).denied).toBe(true);
      expect((await invoke("realtime-gateway", "task-api", "POST", path, { body: {} })).denied).toBe(true);
    }
  });

  test("realtime-gateway still reads a user's missed events from audit-service", async () => {
    const after = "00000000-0000-0000-0000-000000000000";
    const response = await invoke(
      "realtime-gateway",
      "audit-service",
      "GET",
      `internal/users/${owner}/live?after=${after}`,
    );
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toMatchObject({ items: expect.any(Array) });
  });

  for (const [caller, callee, method, template] of REFUSED) {
    test(`${caller} may not ${method} ${callee} /${template}`, async () => {
      const path = pathFor(template, { reminder: reminderId, series: seriesId, task: taskId, owner });
      const response = await invoke(caller, callee, method, path, method === "GET" ? {} : { body: {} });
      // Refused by the mesh, never an answer from the app (the body says which: a status could be either).
      expect(response.denied).toBe(true);
      expect(response.text).not.toContain("owner@example.test");
      expect(response.text).not.toContain("reached");
    });
  }

  test("a caller cannot claim another app-id: the identity is its certificate, not a header", async () => {
    const response = await invoke("realtime-gateway", "task-api", "GET", `internal/reminders/${reminderId}`, {
      headers: { "dapr-caller-app-id": "notification-service", "dapr-caller-namespace": "default" },
    });
    expect(response.denied).toBe(true);
  });
});
