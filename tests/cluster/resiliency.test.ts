import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { waitFor } from "@nudge/testing";
import { deniedByPolicy } from "../mesh/intended-policy.ts";
import { newUser, portForward, runningPodOf } from "./cluster.ts";
import { taskWithReminderIn } from "./judges.ts";

/**
 * The overlay's Resiliency as notification-service's sidecar applies it to its calls to
 * task-api: an answer of the app (4xx) is final, and refused requests on one route never close
 * that route to the requests that follow (Dapr's breakers count every non-2xx answer). A call the
 * mesh refuses is retried first, so the retry counter is seen to move before it is trusted to stay.
 */
let sidecar: { url: string; stop(): void };
let metrics: { url: string; stop(): void };

beforeAll(async () => {
  const pod = await runningPodOf("notification-service");
  sidecar = await portForward(pod, 3500);
  metrics = await portForward(pod, 9090);
}, 60_000);

afterAll(() => {
  sidecar?.stop();
  metrics?.stop();
});

/** How often the sidecar has retried a call to task-api (its Prometheus counter). */
async function retriesOfCallsToTaskApi(): Promise<number> {
  const text = await (await fetch(`${metrics.url}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
  return text
    .split("\n")
    .filter((line) => line.startsWith("dapr_resiliency_activations_total{"))
    .filter((line) => line.includes('policy="retry"') && line.includes('target="app_task-api"'))
    .reduce((sum, line) => sum + Number(line.split(" ").at(-1)), 0);
}

async function invokeTaskApi(method: "GET" | "POST", path: string, body?: unknown) {
  const response = await fetch(`${sidecar.url}/v1.0/invoke/task-api/method/${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: response.status, text: await response.text() };
}

const recordNotification = (body: unknown) => invokeTaskApi("POST", "internal/notifications", body);

describe("service invocation's resiliency in the cluster", () => {
  test("refused requests are not retried and leave the route open for the next valid one", async () => {
    const user = await newUser("resiliency");
    const { taskId, reminderId } = await taskWithReminderIn(user, "Pay the rent", 3600);

    // The control: task-api's access policy refuses this verb to notification-service, a
    // transport error to its sidecar, which the Resiliency retries (with ~7 s of back-off). A
    // counter that does not move here (absent, renamed) could not show a retry below either.
    const unretried = await retriesOfCallsToTaskApi();
    const control = await invokeTaskApi("GET", "internal/notifications");
    expect(deniedByPolicy(control, "notification-service", "GET")).toBe(true);
    const before = await waitFor(
      `dapr_resiliency_activations_total{policy="retry",target="app_task-api"} above ${unretried} on notification-service's sidecar`,
      async () => {
        const retries = await retriesOfCallsToTaskApi();
        return retries > unretried ? retries : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 500 },
    );

    // Twelve requests task-api refuses (422: the body misses every field)…
    const refused: number[] = [];
    for (let i = 0; i < 12; i++) refused.push((await recordNotification({})).status);
    expect(refused).toEqual(Array(12).fill(422));
    // … were each sent once, not six times …
    expect(await retriesOfCallsToTaskApi()).toBe(before);

    // … and the next valid one is answered by task-api, not by an opened breaker.
    const recorded = await recordNotification({
      deliveryId: `cluster-resiliency-${crypto.randomUUID()}`,
      userId: user.user,
      taskId,
      reminderId,
      title: "Pay the rent",
      body: "Due in an hour",
    });
    expect(recorded).toMatchObject({ status: 201 });
  }, 180_000);
});
