import { describe, expect, test } from "bun:test";
import { DaprRequestError } from "@nudge/dapr";
import { classify, sendable } from "./publish-row.ts";

const refusal = (status: number, body = "") =>
  classify(new DaprRequestError("publish to t", status, body)).kind;

describe("how a failed publish is judged", () => {
  test("a 4xx refuses the row itself", () => {
    for (const status of [400, 413, 414, 431]) expect(refusal(status)).toBe("rejected");
  });

  test("timeouts, throttling, 5xx and unreachable sidecars are worth another try", () => {
    for (const status of [408, 429, 500, 503]) expect(refusal(status)).toBe("transient");
    expect(classify(new TypeError("fetch failed: connection refused")).kind).toBe("transient");
    expect(classify(new DOMException("The operation timed out.", "TimeoutError")).kind).toBe("transient");
  });

  test("a missing or forbidden pub/sub is the deployment's fault, not the row's", () => {
    for (const code of ["ERR_PUBSUB_NOT_FOUND", "ERR_PUBSUB_NOT_CONFIGURED", "ERR_PUBSUB_FORBIDDEN"]) {
      expect(refusal(400, `{"errorCode":"${code}"}`)).toBe("transient");
    }
  });
});

describe("what is sent of a stored event", () => {
  const event = {
    specversion: "1.0" as const,
    id: "e1",
    type: "task.created",
    source: "/task-api",
    time: "2030-01-01T00:00:00.000Z",
    datacontenttype: "application/json" as const,
    data: {},
  };
  const parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

  test("a valid trace context is kept", () => {
    expect(sendable({ ...event, traceparent: parent, tracestate: "a=1" })).toEqual({
      ...event,
      traceparent: parent,
      tracestate: "a=1",
    });
  });

  test("an invalid traceparent stored by an older release is dropped, and its tracestate with it", () => {
    expect(sendable({ ...event, traceparent: "a".repeat(9000), tracestate: "a=1" })).toEqual(event);
  });
});
