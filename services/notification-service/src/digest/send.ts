import type { DigestContent } from "@nudge/contracts";
import type { Logger } from "@nudge/service";
import type { Resend } from "resend";
import { renderDigestEmail } from "../email/digest.ts";
import type { Sender } from "../email/headers.ts";
import type { DigestOutcome, DigestRow } from "./store.ts";
import type { DigestSource } from "./task-api.ts";

export interface ChunkResult {
  outcomes: DigestOutcome[];
  /** Set when the chunk must be tried again later, whole (a transient failure). */
  retry?: string;
}

/** What one digest of a chunk comes to before anything is sent. */
function decide(row: DigestRow, content: DigestContent | undefined): DigestOutcome | { send: DigestContent } {
  if (!content) return { id: row.id, status: "skipped", reason: "the user no longer exists" };
  if (!content.recipient.digestEnabled)
    return { id: row.id, status: "skipped", reason: "the digest was turned off" };
  if (!content.recipient.email) return { id: row.id, status: "skipped", reason: "no email address is set" };
  if (content.counts.overdue + content.counts.dueToday === 0) {
    return { id: row.id, status: "empty", reason: "nothing overdue or due that day" };
  }
  return { send: content };
}

/**
 * One chunk: look its digests up in one call, render each, send the non-empty ones in one
 * Resend batch request whose Idempotency-Key is the chunk id. Validation is permissive, so one
 * refused address fails alone. A 409 for the key means the provider took this chunk before
 * (its payload may differ now that tasks changed): those digests are recorded as sent.
 */
export async function sendChunk(
  rows: DigestRow[],
  deps: { source: DigestSource; resend: Resend; sender: Sender; log: Logger },
): Promise<ChunkResult> {
  const contents = await deps.source.contents(rows.map((row) => ({ userId: row.user_id, day: row.day })));
  const byKey = new Map(contents.map((c) => [`${c.userId}\n${c.day}`, c]));
  const outcomes: DigestOutcome[] = [];
  const sending: Array<{ row: DigestRow; content: DigestContent }> = [];
  for (const row of rows) {
    const decided = decide(row, byKey.get(`${row.user_id}\n${row.day}`));
    if ("send" in decided) sending.push({ row, content: decided.send });
    else outcomes.push(decided);
  }
  if (!sending.length) return { outcomes };
  const emails = sending.map(({ row, content }) => {
    const email = renderDigestEmail(content, deps.sender, row.id);
    return {
      from: deps.sender.from,
      ...(deps.sender.replyTo ? { replyTo: deps.sender.replyTo } : {}),
      to: content.recipient.email as string,
      subject: email.subject,
      text: email.text,
      html: email.html,
      headers: email.headers,
    };
  });
  const chunkId = rows[0]?.chunk_id as string;
  const { data, error } = await deps.resend.batch.send(emails, {
    idempotencyKey: `digest-chunk-${chunkId}`,
    batchValidation: "permissive",
  });
  if (error) {
    const status = (error as { statusCode?: number }).statusCode ?? 0;
    if (status === 409 && /idempotent_request|idempotency/i.test(`${error.name} ${error.message}`)) {
      if (/concurrent/i.test(`${error.name} ${error.message}`))
        return { outcomes, retry: "the chunk's earlier request is still in flight" };
      deps.log.info("digest chunk was accepted before", { chunkId });
      for (const { row, content } of sending) {
        outcomes.push({
          id: row.id,
          status: "sent",
          recipient: content.recipient.email as string,
          messageId: null,
        });
      }
      return { outcomes };
    }
    const detail = `${error.name}: ${error.message} (HTTP ${status})`;
    if (status >= 400 && status < 500 && status !== 429) {
      for (const { row } of sending)
        outcomes.push({ id: row.id, status: "failed", reason: detail.slice(0, 500) });
      return { outcomes };
    }
    return { outcomes, retry: detail };
  }
  // Permissive: `data` holds the ids of the accepted emails in request order, `errors` the others.
  const refused = new Map((data?.errors ?? []).map((e) => [e.index, e.message]));
  const ids = [...(data?.data ?? [])];
  sending.forEach(({ row, content }, index) => {
    const reason = refused.get(index);
    if (reason !== undefined) outcomes.push({ id: row.id, status: "failed", reason: reason.slice(0, 500) });
    else
      outcomes.push({
        id: row.id,
        status: "sent",
        recipient: content.recipient.email as string,
        messageId: ids.shift()?.id ?? null,
      });
  });
  return { outcomes };
}
