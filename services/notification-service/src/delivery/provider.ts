import type { Resend } from "resend";

/** One email of a chunk, as Resend's batch endpoint takes it. */
export interface BatchEmail {
  from: string;
  replyTo?: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

export type SendOutcome =
  /** The request was answered: a message id per email, or why the provider refused that one. */
  | { kind: "answered"; results: Array<{ messageId: string } | { refused: string }> }
  /** Worth trying again later, no sooner than `retryAfterMs` when the provider said so. */
  | { kind: "transient"; reason: string; retryAfterMs?: number }
  /** Refused for good as a whole: trying again cannot help. */
  | { kind: "refused"; reason: string };

/**
 * Send a chunk through Resend's batch endpoint with the chunk's Idempotency-Key, in permissive
 * mode: one address the provider will not take fails that email alone, the rest are sent. Its
 * answer lists the refused emails by index and the sent ones' ids in request order.
 */
export async function sendBatch(resend: Resend, key: string, emails: BatchEmail[]): Promise<SendOutcome> {
  const { data, error, headers } = await resend.batch.send(emails, {
    idempotencyKey: key,
    batchValidation: "permissive",
  });
  if (error || !data) {
    const status = (error as { statusCode?: number | null } | null)?.statusCode ?? 0;
    const reason = `${error?.name ?? "unknown"}: ${error?.message ?? "no answer"} (HTTP ${status || "none"})`;
    // A 409 for a request still in flight (another attempt of this chunk) resolves itself.
    const concurrent = error?.name === "concurrent_idempotent_requests";
    if (status === 429 || status >= 500 || status === 0 || concurrent) {
      const seconds = Number(headers?.["retry-after"]);
      return {
        kind: "transient",
        reason,
        ...(Number.isFinite(seconds) && seconds > 0 ? { retryAfterMs: seconds * 1000 } : {}),
      };
    }
    return { kind: "refused", reason };
  }
  return { kind: "answered", results: matchResults(emails.length, data.data, data.errors ?? []) };
}

/** Resend lists the sent ones' ids in order, skipping the refused indices. */
export function matchResults(
  count: number,
  sent: { id: string }[],
  refused: { index: number; message: string }[],
): Array<{ messageId: string } | { refused: string }> {
  const refusals = new Map(refused.map((r) => [r.index, r.message]));
  if (sent.length !== count - refusals.size) {
    throw new Error(
      `the provider answered ${sent.length} ids and ${refusals.size} refusals for ${count} emails`,
    );
  }
  let next = 0;
  return Array.from({ length: count }, (_, index) => {
    const message = refusals.get(index);
    if (message !== undefined) return { refused: message };
    return { messageId: (sent[next++] as { id: string }).id };
  });
}
