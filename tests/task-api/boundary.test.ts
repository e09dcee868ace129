import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { STARTUP_TIMEOUT_MS, TEARDOWN_TIMEOUT_MS } from "@nudge/testing";
import { SignJWT } from "jose";
import { checkTimeZones } from "../../services/task-api/src/users/time-zones.ts";
import { JWT, startTaskApi, type TaskApiFixture, tokenFor } from "./fixture.ts";
import { rawRequest } from "./raw-http.ts";

/**
 * What enters through HTTP, class by class: values PostgreSQL or the runtime would reject or
 * change, authority checked before input is read, and the protocol edges Bun used to answer.
 */
let api: TaskApiFixture;
const user = `user-${crypto.randomUUID()}`;
let taskId: string;
let reminderId: string;
beforeAll(async () => {
  api = await startTaskApi();
  taskId = (await api.request("POST", "/tasks", { user, body: { title: "Boundary" } })).body.id;
  const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
  reminderId = (await api.request("POST", `/tasks/${taskId}/reminders`, { user, body: { at: inAnHour } }))
    .body.id;
}, STARTUP_TIMEOUT_MS);
afterAll(() => api?.stop(), TEARDOWN_TIMEOUT_MS);

async function send(
  method: string,
  path: string,
  raw: string | undefined,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${api.baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${await tokenFor(user)}`,
      "content-type": "application/json",
      ...headers,
    },
    body: raw,
  });
  const text = await response.text();
  const type = response.headers.get("content-type") ?? "";
  return {
    status: response.status,
    type,
    headers: response.headers,
    problem: type.includes("json") ? JSON.parse(text) : text,
  };
}

const expectProblem = (
  r: { status: number; type: string; problem: { errors?: { field: string }[] } },
  status: number,
  field?: string,
) => {
  expect(r.type).toContain("application/problem+json");
  expect(r.status).toBe(status);
  if (field) expect(r.problem.errors?.map((e) => e.field)).toContain(field);
};

describe("values that would break PostgreSQL or the runtime are refused where they enter", () => {
  test.each([
    ["a title", '{"title":"a\\u0000b"}', "body.title"],
    ["a description", '{"title":"t","description":"\\u0000"}', "body.description"],
    ["a tag name", '{"title":"t","tags":["ok","x\\u0000"]}', "body.tags.1"],
  ])("U+0000 in %s is a 422 naming it", async (_what, raw, field) => {
    expectProblem(await send("POST", "/tasks", raw), 422, field);
  });

  test.each([
    ["the tags filter", "tags=a%00b", "query.tags"],
    ["a search", "q=plan%00", "query.q"],
    ["a parameter name", "a%00=1", "query"],
  ])("U+0000 in %s of a query is a 400 naming it", async (_what, query, field) => {
    expectProblem(await send("GET", `/tasks?${query}`, undefined), 400, field);
  });

  test("a lone surrogate is refused, never stored as U+FFFD", async () => {
    expectProblem(await send("POST", "/tasks", '{"title":"x\\ud800y"}'), 422, "body.title");
    expectProblem(await send("POST", "/tasks", '{"title":"x\\udc00"}'), 422, "body.title");
  });

  test("bytes that are not UTF-8 are a 400, not silently replaced", async () => {
    const response = await fetch(`${api.baseUrl}/tasks`, {
      method: "POST",
      headers: { authorization: `Bearer ${await tokenFor(user)}`, "content-type": "application/json" },
      body: new Uint8Array([0x7b, 0x22, 0x74, 0x69, 0x74, 0x6c, 0x65, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]),
    });
    expect(response.status).toBe(400);
  });

  test("lengths count characters (code points): 500 emoji make a valid title, 501 do not", async () => {
    const ok = await api.request("POST", "/tasks", { user, body: { title: "😀".repeat(500) } });
    expect(ok.status).toBe(201);
    expect([...ok.body.title].length).toBe(500);
    expectProblem(
      await send("POST", "/tasks", JSON.stringify({ title: "😀".repeat(501) })),
      422,
      "body.title",
    );
  });

  test.each([
    ["year 0000", "0000-01-01T00:00:00Z"],
    ["year 0023", "0023-06-01T09:00:00Z"],
    ["year 0050 (was read back as 1950)", "0050-06-01T09:00:00Z"],
    ["year 9999", "9999-12-31T23:59:59Z"],
    ["February 30 (was stored as March 2)", "2026-02-30T09:00:00Z"],
    ["February 29 of a common year", "2027-02-29T09:00:00Z"],
    ["hour 24", "2030-01-01T24:00:00Z"],
    ["a lowercase t", "2030-01-01t09:00:00Z"],
  ])("an instant with %s is a 422", async (_what, dueAt) => {
    expectProblem(await send("POST", "/tasks", JSON.stringify({ title: "t", dueAt })), 422, "body.dueAt");
  });

  test("a real leap day is accepted", async () => {
    const r = await api.request("POST", "/tasks", {
      user,
      body: { title: "leap", dueAt: "2028-02-29T09:00:00Z" },
    });
    expect(r.status).toBe(201);
    expect(r.body.dueAt).toBe("2028-02-29T09:00:00.000Z");
  });

  test.each([
    ["a zone only the runtime's aliases know", "US/Pacific-New"],
    ["a UTC offset (PostgreSQL reads its sign inverted)", "+14:00"],
    ["a POSIX zone string", "EST5EDT,M3.2.0,M11.1.0"],
    ["a non-canonical spelling", "europe/berlin"],
  ])("%s is not a time zone", async (_what, timeZone) => {
    expectProblem(
      await send("POST", "/tasks", JSON.stringify({ title: "t", timeZone })),
      422,
      "body.timeZone",
    );
    expectProblem(await send("PATCH", "/me/preferences", JSON.stringify({ timeZone })), 422, "body.timeZone");
  });

  test("every zone the API accepts is one this PostgreSQL knows (checked at start)", async () => {
    await checkTimeZones(api.sql);
  });

  test("a tampered list cursor is a 400, whatever its sort key says", async () => {
    await api.request("POST", "/tasks", { user, body: { title: "second" } });
    // A real cursor for each sort, its sort key replaced: only the key is forged, so the cursor
    // still matches its sort and filters and the key itself is what must be refused.
    const tamper = async (sort: string, key: string) => {
      const page = await send("GET", `/tasks?limit=1&sort=${sort}`, undefined);
      const cursor = JSON.parse(Buffer.from(page.problem.nextCursor as string, "base64url").toString("utf8"));
      return Buffer.from(JSON.stringify({ ...cursor, k: key })).toString("base64url");
    };
    for (const [sort, key] of [
      ["created", "not a date"],
      ["created", "2026-02-30 10:00:00+00"],
      ["updated", "99999-01-01 00:00:00+00"],
      ["due", "tomorrow"],
      ["priority", "5"],
      ["priority", "99999999"],
      ["title", "x\u0000"],
    ] as const) {
      const cursor = await tamper(sort, key);
      const r = await send("GET", `/tasks?limit=1&sort=${sort}&cursor=${cursor}`, undefined);
      expect({ sort, key, status: r.status }).toEqual({ sort, key, status: 400 });
    }
    expect((await send("GET", "/tasks?cursor=!!!", undefined)).status).toBe(400);
  });

  test("a snooze more than a year ahead is refused", async () => {
    const until = new Date(Date.now() + 400 * 86_400_000).toISOString();
    expectProblem(
      await send("POST", `/reminders/${reminderId}/snooze`, JSON.stringify({ until })),
      422,
      "body.until",
    );
  });

  test("a token whose subject PostgreSQL cannot store is a 401", async () => {
    for (const sub of ["a\u0000b", "\ud800", "x".repeat(201)]) {
      const r = await send("GET", "/tasks", undefined, { authorization: `Bearer ${await tokenFor(sub)}` });
      expect(r.status).toBe(401);
    }
  });
});

describe("authority is checked before any input is read", () => {
  test("an anonymous caller gets 401/403 from every route, whatever its body or query", async () => {
    const routes = (api.app.routes as Array<{ method: string; path: string }>).filter(
      (r) => r.method !== "WS",
    );
    expect(routes.length).toBeGreaterThan(25);
    for (const route of routes) {
      const response = await fetch(`${api.baseUrl}${route.path.replace(/:\w+/g, "nope")}?limit=x`, {
        method: route.method,
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: route.method === "GET" || route.method === "HEAD" ? undefined : '{"a":1,"a":2',
      });
      const isPublic =
        ["/healthz", "/readyz", "/metrics", "/openapi.json"].includes(route.path) ||
        route.path.startsWith("/docs");
      if (isPublic) continue;
      // The pages email links lead to need no token (the signed link is the grant): a page
      // saying so, never a 2xx, never JSON — a body that is not a form is a 415 before any lookup.
      if (route.path.startsWith("/email/")) {
        expect(response.status).toBeGreaterThanOrEqual(400);
        expect(response.status).toBeLessThan(500);
        expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
        continue;
      }
      expect({ route: `${route.method} ${route.path}`, status: response.status }).toEqual({
        route: `${route.method} ${route.path}`,
        status: route.path.startsWith("/internal/") ? 403 : 401,
      });
    }
  });

  test("a token with the app token's length in multi-byte characters is a 403, not a 500", async () => {
    // The fixture's app token is 30 characters. Thirty bytes 0xE9 arrive as thirty "é" (HTTP
    // header bytes are Latin-1): the same length in characters, twice the length in UTF-8, which
    // made timingSafeEqual throw (a 500 revealing the length).
    for (const token of ["é".repeat(30), "\u00ff".repeat(30), "x".repeat(30), ""]) {
      const r = await rawRequest(
        api.baseUrl,
        `GET /internal/series/${crypto.randomUUID()} HTTP/1.1\r\nHost: x\r\ndapr-api-token: ${token}\r\nConnection: close\r\n\r\n`,
      );
      expect(r.status).toBe(403);
    }
  });

  test("a token without exp, or living longer than the maximum, is refused", async () => {
    const key = new TextEncoder().encode(JWT.secret);
    const base = () =>
      new SignJWT({})
        .setProtectedHeader({ alg: "HS256" })
        .setSubject(user)
        .setIssuer(JWT.issuer)
        .setAudience(JWT.audience);
    const noExp = await base().setIssuedAt().sign(key);
    const tooLong = await base().setIssuedAt().setExpirationTime("30d").sign(key);
    const tooLongNoIat = await base().setExpirationTime("30d").sign(key);
    for (const token of [noExp, tooLong, tooLongNoIat]) {
      const r = await send("GET", "/tasks", undefined, { authorization: `Bearer ${token}` });
      expectProblem(r, 401);
    }
    const fine = await base().setIssuedAt().setExpirationTime("12h").sign(key);
    expect((await send("GET", "/tasks", undefined, { authorization: `Bearer ${fine}` })).status).toBe(200);
  });
});

describe("bodies and queries are parsed strictly", () => {
  test("a duplicate key is a 422 naming it, not 'the last one wins'", async () => {
    expectProblem(await send("POST", "/tasks", '{"title":"a","title":"b"}'), 422, "body.title");
    expectProblem(await send("POST", "/tasks", '{"title":"a","tags":[{"x":1,"x":2}]}'), 422, "body.tags.0.x");
  });

  test("10 000 nested objects and 5 000 nested arrays are refused by the parser, before validation", async () => {
    const objects = `${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}`;
    const arrays = `${"[".repeat(5000)}${"]".repeat(5000)}`;
    for (const raw of [objects, arrays]) {
      const r = await send("POST", "/tasks", raw);
      expectProblem(r, 422);
      expect(r.problem.detail).toContain("nests deeper than 32 levels");
    }
  });

  test("form-encoded, multipart and text bodies are 415; one content type per route", async () => {
    const form = new FormData();
    form.set("title", "by form");
    const token = await tokenFor(user);
    for (const body of [new URLSearchParams({ title: "by form" }), form, "title"]) {
      const response = await fetch(`${api.baseUrl}/tasks`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
        body,
      });
      expect(response.status).toBe(415);
      expect(response.headers.get("content-type")).toContain("application/problem+json");
    }
    expectProblem(
      await send("POST", "/tasks", '{"title":"x"}', { "content-type": "application/json; charset=latin1" }),
      400,
    );
  });

  test("a repeated query parameter is a 400 naming it", async () => {
    expectProblem(await send("GET", "/tasks?limit=1&limit=2", undefined), 400, "query.limit");
    expectProblem(await send("GET", "/tasks?status=open&status=open", undefined), 400, "query.status");
  });

  test("malformed JSON is a 400 naming the body", async () => {
    for (const raw of ['{"title":"a",}', "{'title':'a'}", '{"title":"a"} x', "NaN", '{"title":1e999}']) {
      const r = await send("POST", "/tasks", raw);
      expect([400, 422]).toContain(r.status);
      expect(r.type).toContain("application/problem+json");
    }
  });
});

describe("protocol edges are answered by us, as problems", () => {
  test("a body over 64 KiB is a 413 problem, whether declared or chunked", async () => {
    const big = JSON.stringify({ title: "t", description: "d".repeat(70_000) });
    expectProblem(await send("POST", "/tasks", big), 413);
    const token = await tokenFor(user);
    const chunked = await rawRequest(
      api.baseUrl,
      `POST /tasks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`,
      [`${(70_000).toString(16)}\r\n${"a".repeat(70_000)}\r\n`, "0\r\n\r\n"],
    );
    expect(chunked.status).toBe(413);
    expect(chunked.head).toContain("application/problem+json");
    const huge = await rawRequest(
      api.baseUrl,
      `POST /tasks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 99999999999\r\nConnection: close\r\n\r\n{`,
    );
    expect(huge.status).toBe(413);
    expect(huge.head).toContain("application/problem+json");
  });

  test("headers over 8 KiB are a 431 problem; a 100 KB bearer is Bun's bare 431 and the service keeps serving", async () => {
    const r = await send("GET", "/tasks", undefined, { "x-padding": "p".repeat(10_000) });
    expectProblem(r, 431);
    const bare = await rawRequest(
      api.baseUrl,
      `GET /tasks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${"a".repeat(100_000)}\r\nConnection: close\r\n\r\n`,
    );
    expect(bare.status).toBe(431);
    expect((await api.request("GET", "/healthz")).status).toBe(200);
  });

  test("an undeclared method on a known path is a 405 with Allow", async () => {
    const r = await send("PUT", `/tasks/${taskId}`, "{}");
    expectProblem(r, 405);
    expect(r.headers.get("allow")).toBe("DELETE, GET, PATCH");
    const propfind = await rawRequest(
      api.baseUrl,
      `PROPFIND /tasks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${await tokenFor(user)}\r\nConnection: close\r\n\r\n`,
    );
    expect(propfind.status).toBe(405);
  });

  test("dot segments cannot smuggle a protected route past the access policy", async () => {
    // Bun resolves dot segments (also %2e) before the request reaches us: the access policy
    // and the router judge the same path.
    for (const path of [
      "/docs/%2e%2e/tasks",
      "/healthz/%2E%2e/tasks",
      "/docs/../tasks",
      "/openapi.json/../tasks",
    ]) {
      const r = await rawRequest(api.baseUrl, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect({ path, status: r.status }).toEqual({ path, status: 401 });
    }
  });

  test("what Bun refuses itself (conflicting framing, unknown methods) never reaches the app, and the service keeps serving", async () => {
    const conflicting = await rawRequest(
      api.baseUrl,
      "POST /tasks HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    );
    expect(conflicting.status).toBe(400);
    const unknown = await rawRequest(api.baseUrl, "BREW /tasks HTTP/1.1\r\nHost: x\r\n\r\n");
    expect(unknown.status).toBe(0); // the connection is closed without an answer
    expect((await api.request("GET", "/healthz")).status).toBe(200);
  });
});

describe("the API document and its viewer", () => {
  test("every error the document lists is problem+json, every operation has a success response, public routes need no token", async () => {
    const doc = (await api.request("GET", "/openapi.json")).body;
    expect(doc.openapi).toBe("3.1.0");
    const operations = Object.entries(
      doc.paths as Record<
        string,
        Record<
          string,
          {
            responses: Record<string, { content?: object }>;
            security?: unknown[];
            requestBody?: { content: object };
          }
        >
      >,
    ).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op })));
    expect(operations.length).toBeGreaterThan(20);
    for (const { path, method, op } of operations) {
      // The pages email links lead to: HTML answers, form bodies, no token.
      const isPage = path.startsWith("/email/");
      expect(Object.keys(op.responses).some((s) => s.startsWith("2"))).toBe(true);
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) >= 400 && status !== "503") {
          expect({ path, method, status, types: Object.keys(response.content ?? {}) }).toEqual({
            path,
            method,
            status,
            types: [isPage ? "text/html" : "application/problem+json"],
          });
        }
      }
      if (op.requestBody) {
        expect(Object.keys(op.requestBody.content)).toEqual([
          isPage ? "application/x-www-form-urlencoded" : "application/json",
        ]);
      }
      expect(op.security?.length === 0).toBe(isPage || ["/healthz", "/readyz", "/metrics"].includes(path));
    }
    expect(Object.keys(doc.paths).some((p) => p.startsWith("/internal"))).toBe(false);
  });

  test("/docs loads only scripts served by the service itself, under a same-origin policy", async () => {
    const page = await fetch(`${api.baseUrl}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
    const html = await page.text();
    const sources = [...html.matchAll(/src="([^"]+)"/g)].map((m) => m[1] as string);
    expect(sources).toEqual(["/docs/scalar.js", "/docs/init.js"]);
    expect(html).not.toMatch(/https?:\/\//);
    const script = await fetch(`${api.baseUrl}/docs/scalar.js`);
    expect(script.status).toBe(200);
    expect((await script.text()).length).toBeGreaterThan(1_000_000);
  });
});
