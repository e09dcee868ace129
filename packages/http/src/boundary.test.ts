import { afterAll, describe, expect, test } from "bun:test";
import { createLogger } from "@nudge/service";
import { Elysia } from "elysia";
import { boundary, shutdown } from "./boundary.ts";
import { MAX_BODY_BYTES } from "./request.ts";

const TOKEN = "app-token-for-boundary-tests-0123";
const app = new Elysia()
  .use(
    boundary({
      log: createLogger("boundary-test", "error"),
      public: ["/open"],
      sidecar: ["/events/"],
      appApiToken: TOKEN,
      sidecarBodyBytes: 4 * MAX_BODY_BYTES,
    }),
  )
  .post("/events/bulk", ({ body }) => ({ entries: (body as { entries: unknown[] }).entries.length }))
  .post("/open", () => ({ ok: true }));
app.listen({ port: 0, hostname: "127.0.0.1" });
afterAll(() => app.stop(true));

const post = (path: string, body: unknown, token?: string) =>
  fetch(`http://127.0.0.1:${app.server?.port}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { "dapr-api-token": token } : {}) },
    body: JSON.stringify(body),
  });

/** A body of about `bytes` bytes, shaped like a bulk delivery. */
const bulkOf = (bytes: number) => ({
  entries: Array.from({ length: Math.ceil(bytes / 1000) }, (_, i) => ({
    entryId: String(i),
    event: "x".repeat(980),
  })),
});

describe("the body limit of sidecar paths", () => {
  test("a sidecar path takes a bulk larger than the public limit, up to its own", async () => {
    const response = await post("/events/bulk", bulkOf(2 * MAX_BODY_BYTES), TOKEN);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { entries: number }).entries).toBe(
      Math.ceil((2 * MAX_BODY_BYTES) / 1000),
    );
    expect((await post("/events/bulk", bulkOf(5 * MAX_BODY_BYTES), TOKEN)).status).toBe(413);
  });

  test("other paths keep the public limit, and without the app token the larger body is refused unread", async () => {
    expect((await post("/open", bulkOf(2 * MAX_BODY_BYTES))).status).toBe(413);
    expect((await post("/events/bulk", bulkOf(2 * MAX_BODY_BYTES))).status).toBe(403);
  });
});

describe("a service that is shutting down", () => {
  test("tells each keep-alive client to reconnect, and before that keeps the connection", async () => {
    const before = await post("/open", {});
    expect(before.headers.get("connection")).not.toBe("close");
    shutdown.draining = true;
    try {
      const during = await post("/open", {});
      expect(during.status).toBe(200);
      expect(during.headers.get("connection")).toBe("close");
    } finally {
      shutdown.draining = false;
    }
  });
});
