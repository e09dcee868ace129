/**
 * A local stand-in for Resend's send API, the project's only email fake. Point the real SDK at it
 * with RESEND_BASE_URL=<capture.url> (read when `new Resend(key)` runs), then read what was sent.
 */
export { type MailCapture, type MailCaptureOptions, startMailCapture } from "./capture.ts";
export { resendClientFor } from "./client.ts";
export type { CapturedEmail } from "./inbox.ts";
export type { FaultStatus, ResendError, ResendErrorName } from "./resend-errors.ts";
export type { SendStats } from "./send-email.ts";
