import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ReminderEvent } from "@nudge/contracts";
import { publishEvent } from "@nudge/dapr";
import {
  type EventRecorder,
  STARTUP_TIMEOUT_MS,
  startEventRecorder,
  TEARDOWN_TIMEOUT_MS,
  waitFor,
} from "@nudge/testing";
import { Value } from "@sinclair/typebox/value";
import { OPERATOR_TOKEN, type ReminderSystem, startReminderSystem } from "./fixture.ts";

let system: ReminderSystem;
let recorder: EventRecorder;
beforeAll(async () => {
  system = await startReminderSystem();
  recorder = await startEventRecorder(system.api.stack, ["reminders", "dlq-events"]);
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  await recorder?.stop();
  await system?.stop();
}, TEARDOWN_TIMEOUT_MS);

const ahead = (ms: number) => new Date(Math.ceil((Date.now() + ms) / 1000) * 1000);

async function armedReminder(title: string, at: Date) {
  const user = `user-${crypto.randomUUID()}`;
  const email = `${user}@example.com`;
  await system.api.request("PATCH", "/me/preferences", { user, body: { email } });
  const { body: task } = await system.api.request("POST", "/tasks", { user, body: { title } });
  const { body: reminder } = await system.api.request("POST", `/tasks/${task.id}/reminders`, {
    user,
    body: { at: at.toISOString() },
  });
  return { user, email, task, reminder };
}

const deliveryOf = async (reminderId: string) =>
  (
    await system.service.sql<{ status: string; reason: string | null; message_id: string | null }[]>`
    select status, reason, message_id from deliveries where reminder_id = ${reminderId}`
  )[0];

describe("when Resend misbehaves", () => {
  test("500, 500, then 200: one email, delivered, after retries with backoff", async () => {
    const { email, reminder } = await armedReminder("Retried", ahead(2000));
    system.mail.injectFaults([500, 500], email);
    await waitFor("the delivered email", () => system.mail.emails().some((m) => m.to.includes(email)), {
      timeoutMs: 20_000,
    });
    await waitFor("the delivery row", async () => (await deliveryOf(reminder.id))?.status === "sent");
    expect(system.mail.emails().filter((m) => m.to.includes(email))).toHaveLength(1);
    const sent = await recorder.waitForCount(
      (e) => e.subject === reminder.id && e.type === "reminder.sent",
      1,
    );
    expect(sent).toHaveLength(1);
  }, 40_000);

  test("422: reminder.failed, a dead-letter record, the delivery marked failed, and no retry storm", async () => {
    const { email, reminder } = await armedReminder("Refused", ahead(2000));
    const before = system.mail.stats().received;
    system.mail.injectFaults([422], email);
    const [failed] = await recorder.waitForCount(
      (e) => e.subject === reminder.id && e.type === "reminder.failed",
      1,
    );
    expect([...Value.Errors(ReminderEvent, stripDapr(failed as unknown as Record<string, unknown>))]).toEqual(
      [],
    );
    await recorder.waitForCount((e) => e.topic === "dlq-events" && e.subject === reminder.id, 1);
    const delivery = await deliveryOf(reminder.id);
    expect(delivery).toMatchObject({ status: "failed" });
    expect(delivery?.reason).toContain("validation_error");
    expect(system.mail.stats().received - before).toBe(1); // refused once, never retried

    const listed = await fetch(`http://127.0.0.1:${system.port}/operator/deliveries?status=failed`, {
      headers: { authorization: `Bearer ${OPERATOR_TOKEN}` },
    });
    const failedDeliveries = (
      (await listed.json()) as { items: Array<{ reminder_id: string; instance_id: string }> }
    ).items;
    const failedDelivery = failedDeliveries.find((d) => d.reminder_id === reminder.id);
    expect(failedDelivery).toBeDefined();

    // The operator fixes the cause (here: the provider accepts again) and retries it.
    const retried = await fetch(
      `http://127.0.0.1:${system.port}/operator/deliveries/${failedDelivery?.instance_id}/retry`,
      {
        method: "POST",
        headers: { authorization: `Bearer ${OPERATOR_TOKEN}` },
      },
    );
    expect(retried.status).toBe(202);
    await waitFor("the retried email", () => system.mail.emails().some((m) => m.to.includes(email)), {
      timeoutMs: 20_000,
    });
    await waitFor("the delivery to be sent", async () => (await deliveryOf(reminder.id))?.status === "sent");
  }, 60_000);

  test("the same reminder.scheduled event delivered three times arms one job and sends one email", async () => {
    const { email, reminder } = await armedReminder("Duplicated", ahead(3000));
    const [scheduled] = await recorder.waitForCount(
      (e) => e.subject === reminder.id && e.type === "reminder.scheduled",
      1,
    );
    const event = stripDapr(scheduled as unknown as Record<string, unknown>);
    for (let i = 0; i < 2; i++) {
      await publishEvent(system.api.sidecar, "reminders", event as never, { partitionKey: reminder.taskId });
    }
    await waitFor("the email", () => system.mail.emails().some((m) => m.to.includes(email)), {
      timeoutMs: 20_000,
    });
    await waitFor("the delivery row", async () => (await deliveryOf(reminder.id))?.status === "sent");
    const [row] = await system.service.sql<{ n: number }[]>`
      select count(*)::int as n from processed_events where event_id = ${String(event.id)}`;
    expect(row?.n).toBe(1);
    expect(system.mail.emails().filter((m) => m.to.includes(email))).toHaveLength(1);
  }, 40_000);
});

/** What the sidecar adds to an envelope on delivery is not part of our contract. */
function stripDapr(event: Record<string, unknown>) {
  const { topic, receivedAt, pubsubname, traceid, tracestate, ...rest } = event;
  return rest;
}
