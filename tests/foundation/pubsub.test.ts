import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type CloudEvent, publishEvent } from "@nudge/dapr";
import { STARTUP_TIMEOUT_MS, TEARDOWN_TIMEOUT_MS, waitFor } from "@nudge/testing";
import { startSmoke } from "../smoke/start.ts";

let smoke: Awaited<ReturnType<typeof startSmoke>>;
beforeAll(async () => {
  smoke = await startSmoke();
}, STARTUP_TIMEOUT_MS);
afterAll(() => smoke?.stop(), TEARDOWN_TIMEOUT_MS);

function smokeEvent(id: string, subject: string): CloudEvent<{ schemaVersion: 1; note: string }> {
  return {
    specversion: "1.0",
    id,
    type: "nudge.smoke.ping",
    source: "/tests",
    subject,
    time: new Date().toISOString(),
    datacontenttype: "application/json",
    data: { schemaVersion: 1, note: "hello through Kafka" },
  };
}

describe("pub/sub through the real Kafka component", () => {
  test("a published CloudEvent reaches the subscription route once, with its id and data intact", async () => {
    const subject = crypto.randomUUID();
    const event = smokeEvent(crypto.randomUUID(), subject);
    // A second event on the same partition key: Kafka keeps per-key order, so once it has
    // arrived any redelivery of the first one would already have arrived too.
    const sentinel = smokeEvent(crypto.randomUUID(), subject);
    await publishEvent(smoke.sidecar, "task-events", event, { partitionKey: subject });
    await publishEvent(smoke.sidecar, "task-events", sentinel, { partitionKey: subject });

    await waitFor("the sentinel event", () => smoke.received.some((e) => e.id === sentinel.id));

    const copies = smoke.received.filter((e) => e.id === event.id);
    expect(copies).toHaveLength(1);
    expect(copies[0]).toMatchObject({
      type: "nudge.smoke.ping",
      source: "/tests",
      subject,
      data: { schemaVersion: 1, note: "hello through Kafka" },
    });
    // The sidecar adds W3C trace context to what it publishes.
    expect(copies[0]?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
  }, 30_000);
});
