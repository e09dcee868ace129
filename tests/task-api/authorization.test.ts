import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { STARTUP_TIMEOUT_MS, TEARDOWN_TIMEOUT_MS } from "@nudge/testing";
import { SignJWT, UnsecuredJWT } from "jose";
import { JWT, startTaskApi, type TaskApiFixture, tokenFor } from "./fixture.ts";

let api: TaskApiFixture;
const alice = `alice-${crypto.randomUUID()}`;
const bob = `bob-${crypto.randomUUID()}`;
let aliceTask: { id: string };
let aliceTag: { id: string };

beforeAll(async () => {
  api = await startTaskApi();
  aliceTask = (
    await api.request("POST", "/tasks", {
      user: alice,
      body: { title: "Alice's secret plan", tags: ["private"] },
    })
  ).body;
  aliceTag = (await api.request("GET", "/tags", { user: alice })).body[0];
}, STARTUP_TIMEOUT_MS);
afterAll(() => api?.stop(), TEARDOWN_TIMEOUT_MS);

describe("one user never sees or changes another's data", () => {
  // Every row has all four columns: bun's test.each treats a missing trailing argument as `done`.
  const attempts: Array<[string, string, () => string, unknown]> = [
    ["read", "GET", () => `/tasks/${aliceTask.id}`, undefined],
    ["update", "PATCH", () => `/tasks/${aliceTask.id}`, { title: "mine now" }],
    ["complete", "POST", () => `/tasks/${aliceTask.id}/complete`, undefined],
    ["reopen", "POST", () => `/tasks/${aliceTask.id}/reopen`, undefined],
    ["delete", "DELETE", () => `/tasks/${aliceTask.id}`, undefined],
    ["tag", "PATCH", () => `/tasks/${aliceTask.id}`, { tags: ["hijacked"] }],
    ["rename a tag of", "PATCH", () => `/tags/${aliceTag.id}`, { name: "renamed" }],
    ["delete a tag of", "DELETE", () => `/tags/${aliceTag.id}`, undefined],
  ];

  test.each(attempts)(
    "Bob cannot %s Alice's task or tag: 404, as if it did not exist",
    async (_what, method, path, body) => {
      const response = await api.request(method, path(), { user: bob, body });
      expect(response.status).toBe(404);
      expect(response.headers.get("content-type")).toContain("application/problem+json");
      expect(response.text).not.toContain("secret");
    },
  );

  test("Bob's list, search and tag filter never show Alice's rows", async () => {
    for (const query of ["", "?q=secret", "?tags=private", "?status=open&sort=title"]) {
      const response = await api.request("GET", `/tasks${query}`, { user: bob });
      expect(response.status).toBe(200);
      expect(response.body.items).toEqual([]);
    }
    expect((await api.request("GET", "/tags", { user: bob })).body).toEqual([]);
  });

  test("after all of Bob's attempts, Alice's task and tag are unchanged", async () => {
    const task = await api.request("GET", `/tasks/${aliceTask.id}`, { user: alice });
    expect(task.body).toMatchObject({
      title: "Alice's secret plan",
      status: "open",
      tags: ["private"],
      version: 1,
    });
  });
});

describe("authentication", () => {
  const now = Math.floor(Date.now() / 1000);
  const cases: Array<[string, () => Promise<string | undefined>]> = [
    ["no Authorization header", async () => undefined],
    ["a non-Bearer scheme", async () => "Basic YWxpY2U6c2VjcmV0"],
    ["a malformed token", async () => "Bearer not.a.jwt"],
    [
      "an expired token (beyond the 60 s skew)",
      async () => `Bearer ${await tokenFor(alice, { expiresIn: now - 120 })}`,
    ],
    [
      "a token signed with another key",
      async () => `Bearer ${await tokenFor(alice, { secret: "another-secret-of-enough-length-123456" })}`,
    ],
    [
      "a token for another audience",
      async () => `Bearer ${await tokenFor(alice, { audience: "someone-else" })}`,
    ],
    [
      "a token from another issuer",
      async () => `Bearer ${await tokenFor(alice, { issuer: "https://evil.test/" })}`,
    ],
    [
      "an unsigned token (alg: none)",
      async () =>
        `Bearer ${new UnsecuredJWT({}).setSubject(alice).setIssuer(JWT.issuer).setAudience(JWT.audience).setExpirationTime("5m").encode()}`,
    ],
    [
      "a token without a subject",
      async () =>
        `Bearer ${await new SignJWT({})
          .setProtectedHeader({ alg: "HS256" })
          .setIssuer(JWT.issuer)
          .setAudience(JWT.audience)
          .setExpirationTime("5m")
          .sign(new TextEncoder().encode(JWT.secret))}`,
    ],
  ];

  test.each(cases)("%s is refused with 401 problem+json", async (_what, header) => {
    const authorization = await header();
    const response = await api.request("GET", "/tasks", { headers: authorization ? { authorization } : {} });
    expect(response.status).toBe(401);
    expect(response.headers.get("content-type")).toContain("application/problem+json");
    expect(response.body).toMatchObject({ status: 401, type: "/problems/unauthorized" });
  });

  test("a token expired within the 60 s clock skew is still accepted", async () => {
    const token = await tokenFor(alice, { expiresIn: now - 30 });
    const response = await api.request("GET", "/tasks", { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
  });

  test("health, readiness and the API docs need no token", async () => {
    for (const path of ["/healthz", "/readyz", "/openapi.json", "/docs"]) {
      expect((await api.request("GET", path)).status).toBe(200);
    }
  });

  test("metrics are not served on the public API port, with or without a token", async () => {
    // Anonymous callers are refused before routing (401), so no path reveals whether it exists.
    expect((await api.request("GET", "/metrics")).status).toBe(401);
    const withToken = await api.request("GET", "/metrics", { user: alice });
    expect(withToken.status).toBe(404);
    expect(withToken.text).not.toContain("nudge_http_requests_total");
  });

  test("internal routes refuse calls that did not come through the sidecar", async () => {
    const direct = await api.request("GET", `/internal/tasks/${aliceTask.id}/owner/${alice}`);
    expect(direct.status).toBe(403);
    const forged = await api.request("GET", `/internal/tasks/${aliceTask.id}/owner/${alice}`, {
      headers: { "dapr-api-token": "guessed-token-0123456789" },
    });
    expect(forged.status).toBe(403);
  });

  test("through Dapr service invocation, internal routes answer with the task and its owner's preferences", async () => {
    const response = await fetch(
      `${api.sidecar.httpUrl}/v1.0/invoke/task-api/method/internal/tasks/${aliceTask.id}/owner/${alice}`,
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      task: { id: aliceTask.id },
      owner: { userId: alice, timeZone: "UTC" },
    });
  });
});
