import { describe, expect, test } from "bun:test";
import { reminder, useMailCapture } from "./test-support.ts";

const server = useMailCapture();

const to = (n: number) => `person${n}@example.com`;
const batchOf = (count: number, subject = "Reminder") =>
  Array.from({ length: count }, (_, i) => ({ ...reminder, to: to(i), subject: `${subject} ${i}` }));

describe("POST /emails/batch through the real SDK", () => {
  test("a batch is captured as one email per entry, in order, each with its own headers", async () => {
    const emails = batchOf(3).map((email, i) => ({ ...email, headers: { "X-Entity-Ref-ID": `ref-${i}` } }));
    const { data, error } = await server.resend.batch.send(emails, { idempotencyKey: "chunk/1" });

    expect(error).toBeNull();
    expect(data?.data).toHaveLength(3);
    const captured = server.capture.emails();
    expect(captured.map((e) => [e.to, e.subject, e.headers, e.batchIndex, e.idempotencyKey])).toEqual([
      [[to(0)], "Reminder 0", { "X-Entity-Ref-ID": "ref-0" }, 0, "chunk/1"],
      [[to(1)], "Reminder 1", { "X-Entity-Ref-ID": "ref-1" }, 1, "chunk/1"],
      [[to(2)], "Reminder 2", { "X-Entity-Ref-ID": "ref-2" }, 2, "chunk/1"],
    ]);
    expect(data?.data.map((d) => d.id)).toEqual(captured.map((e) => e.id));
    expect(server.capture.stats()).toMatchObject({ received: 1, accepted: 1, emails: 3 });
  });

  test("the same key and batch again is answered with the same ids and sends nothing", async () => {
    const first = await server.resend.batch.send(batchOf(5), { idempotencyKey: "chunk/2" });
    const again = await server.resend.batch.send(batchOf(5), { idempotencyKey: "chunk/2" });

    expect(again.data?.data).toEqual(first.data?.data as { id: string }[]);
    expect(server.capture.emails()).toHaveLength(5);
    expect(server.capture.acceptedSendsFor("chunk/2")).toBe(1);
    expect(server.capture.stats()).toMatchObject({ received: 2, accepted: 1, replayed: 1, emails: 5 });
  });

  test("the same key with a different batch is a 409 invalid_idempotent_request", async () => {
    await server.resend.batch.send(batchOf(2), { idempotencyKey: "chunk/3" });
    const { error } = await server.resend.batch.send(batchOf(1), { idempotencyKey: "chunk/3" });

    expect(error).toMatchObject({ statusCode: 409, name: "invalid_idempotent_request" });
    expect(server.capture.emails()).toHaveLength(2);
  });

  test("100 emails are one request; 101 are refused with a 422 and nothing is sent", async () => {
    const hundred = await server.resend.batch.send(batchOf(100));
    const tooMany = await server.resend.batch.send(batchOf(101));

    expect(hundred.data?.data).toHaveLength(100);
    expect(tooMany.error).toMatchObject({ statusCode: 422, name: "validation_error" });
    expect(server.capture.emails()).toHaveLength(100);
  });

  test("strict (the default): one malformed address refuses the whole batch", async () => {
    const emails = batchOf(3);
    emails[1] = { ...(emails[1] as (typeof emails)[number]), to: "not an address" };
    const { data, error } = await server.resend.batch.send(emails);

    expect(data).toBeNull();
    expect(error).toMatchObject({ statusCode: 422, name: "validation_error" });
    expect(error?.message).toStartWith("Invalid `to` field.");
    expect(server.capture.emails()).toEqual([]);
  });

  test("permissive: the valid emails are sent, the bad one is listed by index", async () => {
    const emails = batchOf(3);
    emails[1] = { ...(emails[1] as (typeof emails)[number]), to: "not an address" };
    const { data, error } = await server.resend.batch.send(emails, {
      batchValidation: "permissive",
      idempotencyKey: "chunk/4",
    });

    expect(error).toBeNull();
    expect(data?.data).toHaveLength(2);
    expect(data?.errors).toEqual([{ index: 1, message: expect.stringContaining("Invalid `to` field.") }]);
    expect(server.capture.emails().map((e) => e.batchIndex)).toEqual([0, 2]);
    const replay = await server.resend.batch.send(emails, {
      batchValidation: "permissive",
      idempotencyKey: "chunk/4",
    });
    expect(replay.data).toEqual(data as NonNullable<typeof data>);
    expect(server.capture.emails()).toHaveLength(2);
  });

  test("a 422 fault aimed at one address refuses that email alone in permissive mode", async () => {
    server.capture.injectFaults([422], to(2));
    const { data } = await server.resend.batch.send(batchOf(4), { batchValidation: "permissive" });

    expect(data?.errors?.map((e) => e.index)).toEqual([2]);
    expect(server.capture.emails().map((e) => e.to[0])).toEqual([to(0), to(1), to(3)]);
  });

  test("a 429 aimed at one recipient fails the whole request, with retry-after, and the key stays unused", async () => {
    server.capture.injectFaults([429], to(1));
    const limited = await server.resend.batch.send(batchOf(3), { idempotencyKey: "chunk/5" });
    const retried = await server.resend.batch.send(batchOf(3), { idempotencyKey: "chunk/5" });

    expect(limited.error).toMatchObject({ statusCode: 429, name: "rate_limit_exceeded" });
    expect(limited.headers?.["retry-after"]).toBe("1");
    expect(retried.error).toBeNull();
    expect(server.capture.emails()).toHaveLength(3);
    expect(server.capture.acceptedSendsFor("chunk/5")).toBe(1);
  });

  test("attachments and scheduled_at are not supported in a batch", async () => {
    const [first] = batchOf(1);
    const scheduled = await server.resend.batch.send([
      { ...(first as typeof reminder), scheduledAt: "in 1 hour" },
    ]);
    const attached = await fetch(`${server.capture.url}/emails/batch`, {
      method: "POST",
      headers: { authorization: "Bearer re_test", "content-type": "application/json" },
      body: JSON.stringify([{ ...first, attachments: [{ filename: "a.txt", content: "YQ==" }] }]),
    });

    expect(scheduled.error).toMatchObject({ statusCode: 422, name: "validation_error" });
    expect(attached.status).toBe(422);
    expect(server.capture.emails()).toEqual([]);
  });

  test("a body that is not a list, or an empty list, is a 422; an unknown validation mode too", async () => {
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${server.capture.url}/emails/batch`, {
        method: "POST",
        headers: { authorization: "Bearer re_test", "content-type": "application/json", ...headers },
        body: JSON.stringify(body),
      });

    expect((await post(reminder)).status).toBe(422);
    expect((await post([])).status).toBe(422);
    expect((await post([reminder], { "x-batch-validation": "lenient" })).status).toBe(422);
    expect(server.capture.emails()).toEqual([]);
  });

  test("without an API key the batch is a 401 missing_api_key", async () => {
    const response = await fetch(`${server.capture.url}/emails/batch`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([reminder]),
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ name: "missing_api_key" });
  });
});

describe("a test holds a batch in flight", () => {
  test("a held request captures nothing until it is released", async () => {
    const held = server.capture.holdNextSend();
    const sending = server.resend.batch.send(batchOf(2), { idempotencyKey: "chunk/held-request" });
    await held.arrived;
    expect(server.capture.emails()).toHaveLength(0);

    held.release();
    expect((await sending).error).toBeNull();
    expect(server.capture.emails()).toHaveLength(2);
  });

  test("a held answer: the emails are captured while the sender still waits to hear", async () => {
    const held = server.capture.holdNextAnswer();
    let answered = false;
    const sending = server.resend.batch
      .send(batchOf(2), { idempotencyKey: "chunk/held-answer" })
      .finally(() => {
        answered = true;
      });
    await held.arrived;
    expect(server.capture.emails()).toHaveLength(2);
    expect(answered).toBe(false);

    held.release();
    expect((await sending).data?.data).toHaveLength(2);
    expect(server.capture.acceptedSendsFor("chunk/held-answer")).toBe(1);
  });
});
