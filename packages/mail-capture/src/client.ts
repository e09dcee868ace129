import { Resend } from "resend";
import type { MailCapture } from "./capture.ts";

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
