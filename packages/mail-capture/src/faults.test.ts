import { describe, expect, test } from "bun:test";
import { reminder, useMailCapture } from "./test-support.ts";

const server = useMailCapture();

describe("faults a test queues are answered before normal behaviour resumes", () => {
  test("two queued 500s fail two sends, and the retry with the same key then succeeds once", async () => {
    server.capture.injectFaults([500, 500]);
    const attempts = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      attempts.push(await server.resend.emails.send(reminder, { idempotencyKey: "retry/1" }));
    }

    expect(attempts.map((a) => a.error?.name ?? "sent")).toEqual([
      "internal_server_error",
      "internal_server_error",
      "sent",
    ]);
    expect(attempts[0]?.error?.statusCode).toBe(500);
    expect(server.capture.emails()).toHaveLength(1);
    expect(server.capture.acceptedSendsFor("retry/1")).toBe(1);
    expect(server.capture.stats()).toEqual({
      received: 3,
      accepted: 1,
      replayed: 0,
      rejected: { 500: 2 },
      emails: 1,
    });
  });

  test("a queued 422 surfaces through the SDK as a validation_error", async () => {
    server.capture.injectFaults([422]);
    const { data, error } = await server.resend.emails.send(reminder);

    expect(data).toBeNull();
    expect(error).toMatchObject({ statusCode: 422, name: "validation_error" });
    expect(server.capture.emails()).toEqual([]);
  });

  test("a queued 429 is rate_limit_exceeded with a retry-after header", async () => {
    server.capture.injectFaults([429]);
    const { error, headers } = await server.resend.emails.send(reminder);

    expect(error).toMatchObject({ statusCode: 429, name: "rate_limit_exceeded" });
    expect(headers?.["retry-after"]).toBe("1");
  });

  test("a fault aimed at one recipient leaves sends to others alone", async () => {
    server.capture.injectFaults([500], "Grace <GRACE@example.com>");
    const toAda = await server.resend.emails.send(reminder);
    const toGrace = await server.resend.emails.send({ ...reminder, to: ["grace@example.com"] });
    const toGraceAgain = await server.resend.emails.send({ ...reminder, to: ["grace@example.com"] });

    expect(toAda.error).toBeNull();
    expect(toGrace.error?.name).toBe("internal_server_error");
    expect(toGraceAgain.error).toBeNull();
  });
});

describe("the control endpoints", () => {
  test("faults queued over HTTP apply to the next sends and show in the stats", async () => {
    const queued = await fetch(`${server.capture.url}/_control/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ statuses: [429] }),
    });
    expect(await queued.json()).toEqual({ queued: 1 });

    await server.resend.emails.send(reminder);
    await server.resend.emails.send(reminder);

    const stats = await (await fetch(`${server.capture.url}/_control/stats`)).json();
    expect(stats).toEqual({ received: 2, accepted: 1, replayed: 0, rejected: { 429: 1 }, emails: 1 });
  });

  test("a status that is not a supported fault is refused", async () => {
    const response = await fetch(`${server.capture.url}/_control/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ statuses: [418] }),
    });

    expect(response.status).toBe(400);
    expect(server.capture.stats().received).toBe(0);
  });
});
