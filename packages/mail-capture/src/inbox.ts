import type { SendRequest } from "./send-request.ts";

/** An email Resend would have sent, as this server captured it. */
export interface CapturedEmail extends SendRequest {
  id: string;
  /** Epoch milliseconds. */
  receivedAt: number;
  idempotencyKey: string | null;
  /** Its position in a POST /emails/batch request; null when it was sent alone. */
  batchIndex: number | null;
  /** As the client sent it; the SDK sends `resend-node:<version>`. */
  userAgent: string | null;
}

/** Captured emails in arrival order. */
export class Inbox {
  #emails: CapturedEmail[] = [];

  capture(email: CapturedEmail): void {
    this.#emails.push(email);
  }

  /** A copy, oldest first, so callers cannot rewrite what was captured. */
  all(): CapturedEmail[] {
    return [...this.#emails];
  }

  byId(id: string): CapturedEmail | undefined {
    return this.#emails.find((email) => email.id === id);
  }

  clear(): void {
    this.#emails = [];
  }
}
