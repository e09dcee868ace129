import { describe, expect, test } from "bun:test";
import { IDEMPOTENCY_WINDOW_MS } from "./idempotency.ts";
import { reminder, useMailCapture } from "./test-support.ts";

const server = useMailCapture();

describe("an idempotency key stands for one sent email", () => {
  test("the same key and body twice is captured once and answered with the same id", async () => {
    const first = await server.resend.emails.send(reminder, { idempotencyKey: "reminder/1" });
    const again = await server.resend.emails.send({ ...reminder }, { idempotencyKey: "reminder/1" });

    expect(first.error).toBeNull();
    expect(again).toMatchObject({ data: { id: first.data?.id }, error: null });
    expect(server.capture.emails()).toHaveLength(1);
    expect(server.capture.emails()[0]?.idempotencyKey).toBe("reminder/1");
    expect(server.capture.acceptedSendsFor("reminder/1")).toBe(1);
    expect(server.capture.stats()).toMatchObject({ received: 2, accepted: 1, replayed: 1 });
  });

  test("the same key with a different body is a 409 invalid_idempotent_request", async () => {
    await server.resend.emails.send(reminder, { idempotencyKey: "reminder/2" });
    const { data, error } = await server.resend.emails.send(
      { ...reminder, subject: "something else" },
      { idempotencyKey: "reminder/2" },
    );

    expect(data).toBeNull();
    expect(error).toMatchObject({ statusCode: 409, name: "invalid_idempotent_request" });
    expect(server.capture.emails()).toHaveLength(1);
  });

  test("the same key while the first send is still in flight is a 409 concurrent_idempotent_requests", async () => {
    const hold = server.capture.holdNextSend();
    const first = server.resend.emails.send(reminder, { idempotencyKey: "reminder/3" });
    await hold.arrived;

    const concurrent = await server.resend.emails.send(reminder, { idempotencyKey: "reminder/3" });
    hold.release();

    expect(concurrent.error).toMatchObject({ statusCode: 409, name: "concurrent_idempotent_requests" });
    expect((await first).error).toBeNull();
    expect(server.capture.acceptedSendsFor("reminder/3")).toBe(1);
  });

  test("a refused send leaves its key unused, so the corrected send goes through", async () => {
    const { subject: _omitted, ...withoutSubject } = reminder;
    const refused = await server.resend.emails.send(withoutSubject as typeof reminder, {
      idempotencyKey: "reminder/4",
    });
    const corrected = await server.resend.emails.send(reminder, { idempotencyKey: "reminder/4" });

    expect(refused.error?.statusCode).toBe(422);
    expect(corrected.error).toBeNull();
    expect(server.capture.acceptedSendsFor("reminder/4")).toBe(1);
  });

  test("an idempotency key longer than 256 characters is a 400 invalid_idempotency_key", async () => {
    const { error } = await server.resend.emails.send(reminder, { idempotencyKey: "k".repeat(257) });

    expect(error).toMatchObject({ statusCode: 400, name: "invalid_idempotency_key" });
  });
});

describe("idempotency keys are remembered for 24 hours", () => {
  let now = Date.parse("2030-01-01T00:00:00Z");
  const clocked = useMailCapture({ now: () => now });

  test("after 24 hours the same key sends a new email", async () => {
    const { capture, resend } = clocked;
    const first = await resend.emails.send(reminder, { idempotencyKey: "daily/1" });

    now += IDEMPOTENCY_WINDOW_MS - 1;
    const withinWindow = await resend.emails.send(reminder, { idempotencyKey: "daily/1" });
    now += 1;
    const afterWindow = await resend.emails.send(reminder, { idempotencyKey: "daily/1" });

    expect(withinWindow.data?.id).toBe(first.data?.id as string);
    expect(afterWindow.data?.id).not.toBe(first.data?.id as string);
    expect(capture.acceptedSendsFor("daily/1")).toBe(2);
  });
});
