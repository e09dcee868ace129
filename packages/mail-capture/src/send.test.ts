import { describe, expect, test } from "bun:test";
import type { CapturedEmail } from "./inbox.ts";
import { reminder, useMailCapture } from "./test-support.ts";

const server = useMailCapture();

describe("sending through the real Resend SDK", () => {
  test("the SDK is pointed at the capture server by RESEND_BASE_URL", () => {
    expect(server.resend.baseUrl).toBe(server.capture.url);
  });

  test("a sent email is captured with every field the SDK sent", async () => {
    const { data, error } = await server.resend.emails.send({
      from: "Nudge <reminders@nudge.test>",
      to: ["ada@example.com", "Grace <grace@example.com>"],
      cc: "carol@example.com",
      bcc: ["audit@nudge.test"],
      replyTo: "support@nudge.test",
      subject: "Reminder: water the plants",
      html: "<p>Due <strong>today</strong>.</p>",
      text: "Due today.",
      headers: { "X-Entity-Ref-ID": "reminder-42" },
      tags: [{ name: "kind", value: "reminder" }],
    });

    expect(error).toBeNull();
    expect(data?.id).toMatch(/^[0-9a-f-]{36}$/);
    const [email] = server.capture.emails();
    expect(email).toMatchObject({
      id: data?.id,
      idempotencyKey: null,
      from: "Nudge <reminders@nudge.test>",
      to: ["ada@example.com", "Grace <grace@example.com>"],
      cc: ["carol@example.com"],
      bcc: ["audit@nudge.test"],
      replyTo: ["support@nudge.test"],
      subject: "Reminder: water the plants",
      html: "<p>Due <strong>today</strong>.</p>",
      text: "Due today.",
      headers: { "X-Entity-Ref-ID": "reminder-42" },
      tags: [{ name: "kind", value: "reminder" }],
      userAgent: "resend-node:6.38.0",
    });
    expect(email?.receivedAt).toBeNumber();
  });

  test("captured emails are listed oldest first and can be fetched by id", async () => {
    const first = await server.resend.emails.send({ ...reminder, subject: "first" });
    const second = await server.resend.emails.send({ ...reminder, subject: "second" });

    const listed = (await (await fetch(`${server.capture.url}/emails`)).json()) as CapturedEmail[];
    expect(listed.map((e) => e.subject)).toEqual(["first", "second"]);
    const fetched = await (await fetch(`${server.capture.url}/emails/${second.data?.id}`)).json();
    expect(fetched).toMatchObject({ id: second.data?.id, subject: "second" });
    expect(first.data?.id).not.toBe(second.data?.id);
  });

  test("an unknown email id is Resend's not_found", async () => {
    const response = await fetch(`${server.capture.url}/emails/00000000-0000-0000-0000-000000000000`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ statusCode: 404, name: "not_found" });
  });

  test("DELETE /emails empties the inbox", async () => {
    await server.resend.emails.send(reminder);
    const response = await fetch(`${server.capture.url}/emails`, { method: "DELETE" });
    expect(response.status).toBe(204);
    expect(server.capture.emails()).toEqual([]);
  });
});

describe("requests Resend would refuse are refused the same way", () => {
  test.each(["from", "to", "subject"] as const)(
    "an email without %p is a 422 missing_required_field",
    async (field) => {
      const { [field]: _omitted, ...incomplete } = reminder;
      const { data, error } = await server.resend.emails.send(incomplete as typeof reminder);

      expect(data).toBeNull();
      expect(error).toEqual({
        statusCode: 422,
        name: "missing_required_field",
        message: `Missing \`${field}\` field.`,
      });
      expect(server.capture.emails()).toEqual([]);
    },
  );

  test.each([
    ["from", { from: "not an address" }],
    ["to", { to: ["ada@example.com", "nobody"] }],
    ["cc", { cc: "@example.com" }],
  ])("a malformed %p address is a 422 validation_error", async (field, override) => {
    const { error } = await server.resend.emails.send({ ...reminder, ...override });

    expect(error).toMatchObject({ statusCode: 422, name: "validation_error" });
    expect(error?.message).toStartWith(`Invalid \`${field}\` field.`);
  });

  test("more than 50 recipients is a 422 validation_error", async () => {
    const to = Array.from({ length: 51 }, (_, i) => `person${i}@example.com`);
    const { error } = await server.resend.emails.send({ ...reminder, to });

    expect(error).toMatchObject({ statusCode: 422, name: "validation_error" });
  });

  test("a request without an API key is a 401 missing_api_key", async () => {
    const response = await fetch(`${server.capture.url}/emails`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(reminder),
    });

    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      statusCode: 401,
      name: "missing_api_key",
      message: "Missing API key in the authorization header.",
    });
    expect(server.capture.emails()).toEqual([]);
  });
});

describe("paths and methods Resend does not serve", () => {
  test("an unknown path is a 404 not_found and a wrong method a 405 method_not_allowed", async () => {
    const unknown = await fetch(`${server.capture.url}/domains`);
    const wrongMethod = await fetch(`${server.capture.url}/emails`, { method: "PUT" });

    expect(await unknown.json()).toMatchObject({ statusCode: 404, name: "not_found" });
    expect(await wrongMethod.json()).toMatchObject({ statusCode: 405, name: "method_not_allowed" });
  });
});
