import { afterAll, beforeAll, beforeEach } from "bun:test";
import { Resend } from "resend";
import { type MailCapture, type MailCaptureOptions, startMailCapture } from "./capture.ts";

/**
 * The real SDK, configured the way services configure it: RESEND_BASE_URL, which the SDK reads
 * when the client is constructed (restored afterwards so test files do not leak into each other).
 */
export function resendClientFor(capture: MailCapture): Resend {
  const previous = process.env.RESEND_BASE_URL;
  process.env.RESEND_BASE_URL = capture.url;
  try {
    return new Resend("re_test");
  } finally {
    if (previous === undefined) delete process.env.RESEND_BASE_URL;
    else process.env.RESEND_BASE_URL = previous;
  }
}

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
