import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { type MailCapture, resendClientFor, startMailCapture } from "@nudge/mail-capture";
import { matchResults, sendBatch } from "../../services/notification-service/src/delivery/provider.ts";

let capture: MailCapture;
let resend: ReturnType<typeof resendClientFor>;
beforeAll(async () => {
  capture = await startMailCapture({ port: 0 });
  resend = resendClientFor(capture);
});
beforeEach(() => capture.clear());
afterAll(() => capture.stop());

const email = (to: string) => ({
  from: "Nudge <reminders@nudge.test>",
  to,
  subject: `Reminder for ${to}`,
  text: "Due now.",
  html: "<p>Due now.</p>",
  headers: { "X-Entity-Ref-ID": to },
});

describe("a chunk's send through the real SDK", () => {
  test("every email gets its own message id, in order", async () => {
    const outcome = await sendBatch(resend, "chunk/a", [email("a@example.com"), email("b@example.com")]);
    expect(outcome.kind).toBe("answered");
    const ids = capture.emails().map((m) => ({ messageId: m.id }));
    expect(outcome.kind === "answered" && outcome.results).toEqual(ids);
  });

  test("a refused address is matched to its own email, the others keep their ids", async () => {
    capture.injectFaults([422], "b@example.com");
    const outcome = await sendBatch(
      resend,
      "chunk/b",
      ["a", "b", "c"].map((n) => email(`${n}@example.com`)),
    );
    if (outcome.kind !== "answered") throw new Error(`unexpected ${outcome.kind}`);
    const [sentA, sentC] = capture.emails();
    expect(outcome.results).toEqual([
      { messageId: sentA?.id as string },
      { refused: expect.any(String) },
      { messageId: sentC?.id as string },
    ]);
    expect(sentC?.to).toEqual(["c@example.com"]);
  });

  test("a 429 is transient and carries the provider's Retry-After", async () => {
    capture.injectFaults([429]);
    expect(await sendBatch(resend, "chunk/c", [email("a@example.com")])).toMatchObject({
      kind: "transient",
      retryAfterMs: 1000,
    });
  });

  test("a 500 and an unreachable provider are transient; a whole-request 4xx is refused for good", async () => {
    capture.injectFaults([500]);
    expect((await sendBatch(resend, "chunk/d", [email("a@example.com")])).kind).toBe("transient");
    const unreachable = resendClientFor({ ...capture, url: "http://127.0.0.1:9" });
    expect((await sendBatch(unreachable, "chunk/e", [email("a@example.com")])).kind).toBe("transient");
    const tooMany = Array.from({ length: 101 }, (_, i) => email(`p${i}@example.com`));
    expect((await sendBatch(resend, "chunk/f", tooMany)).kind).toBe("refused");
  });

  test("the same chunk again is answered from the provider's memory, with the same ids", async () => {
    const chunk = [email("a@example.com"), email("b@example.com")];
    const first = await sendBatch(resend, "chunk/g", chunk);
    const again = await sendBatch(resend, "chunk/g", chunk);
    expect(again).toEqual(first);
    expect(capture.emails()).toHaveLength(2);
  });
});

describe("matching Resend's answer to the request", () => {
  test("an answer that does not add up is an error, never a guess", () => {
    expect(() => matchResults(3, [{ id: "x" }], [{ index: 1, message: "no" }])).toThrow(
      /1 ids and 1 refusals for 3/,
    );
  });
});
