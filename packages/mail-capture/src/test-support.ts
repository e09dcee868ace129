import { afterAll, beforeAll, beforeEach } from "bun:test";
import type { Resend } from "resend";
import { type MailCapture, type MailCaptureOptions, startMailCapture } from "./capture.ts";
import { resendClientFor } from "./client.ts";

export { resendClientFor };

/** One capture server per test file, emptied before each test. */
export function useMailCapture(options: MailCaptureOptions = {}) {
  const context = {} as { capture: MailCapture; resend: Resend };
  beforeAll(async () => {
    context.capture = await startMailCapture({ port: 0, ...options });
    context.resend = resendClientFor(context.capture);
  });
  beforeEach(() => context.capture.clear());
  afterAll(() => context.capture.stop());
  return context;
}

export const reminder = {
  from: "Nudge <reminders@nudge.test>",
  to: "ada@example.com",
  subject: "Reminder: water the plants",
  text: "Due today.",
};
