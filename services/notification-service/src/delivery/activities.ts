import type { OccurrenceLookup } from "@nudge/contracts";
import { daprFetch, type Sidecar } from "@nudge/dapr";
import type { Sql } from "@nudge/db";
import type { Logger } from "@nudge/service";
import type { Resend } from "resend";
import type { Sender } from "../email/headers.ts";
import { renderReminderEmail } from "../email/reminder.ts";
import { sendKeyOf } from "./chunks.ts";
import { type ClaimInput, type ClaimResult, claimPage } from "./claim.ts";
import { decide, type Member } from "./decide.ts";
import { type BatchEmail, sendBatch } from "./provider.ts";
import {
  FINAL,
  type Notified,
  type RecordDeps,
  recordFailed,
  recordNotified,
  recordSent,
  writeDeliveries,
} from "./record.ts";

export type { ClaimResult } from "./claim.ts";

export interface ActivityDeps extends RecordDeps {
  resend: Resend;
  /** Names this replica in the sends it records (POD_NAME or host, and the process id). */
  replica: string;
  /** From, reply-to and the List-Unsubscribe mailbox of every email. */
  sender: Sender;
  log: Logger;
}

export interface ChunkInput {
  instanceId: string;
  chunk: number;
}

export type ChunkResult =
  | { outcome: "done"; sent: number; notified: number; skipped: number; failed: number }
  | { outcome: "retry"; reason: string; retryAfterMs?: number };

interface MemberRow {
  delivery_id: string;
  reminder_id: string;
  occurrence_key: string;
  task_id: string;
  user_id: string;
  due_at: Date;
  status: string | null;
}

type ChunkMember = Member & { status: string | null };

interface RecordedSend {
  emails: BatchEmail[];
  delivery_ids: string[];
}

const toMember = (row: MemberRow): ChunkMember => ({
  deliveryId: row.delivery_id,
  reminderId: row.reminder_id,
  occurrenceKey: row.occurrence_key,
  taskId: row.task_id,
  userId: row.user_id,
  dueAt: row.due_at,
  status: row.status,
});

/** Activities are plain functions over ids; each is safe to run again (at-least-once). */
export function createDeliveryActivities(deps: ActivityDeps) {
  const { sql } = deps;

  const membersOf = async (input: ChunkInput) =>
    (
      await sql<MemberRow[]>`
        select o.delivery_id, o.reminder_id, o.occurrence_key, o.task_id, o.user_id, o.due_at, d.status
        from occurrences o left join deliveries d on d.instance_id = o.delivery_id
        where o.claimed_by = ${input.instanceId} and o.chunk = ${input.chunk} and o.state = 'claimed'
        order by o.due_at, o.delivery_id`
    ).map(toMember);

  const recordedSend = async (key: string) =>
    (await sql<RecordedSend[]>`select emails, delivery_ids from sends where idempotency_key = ${key}`)[0];

  /** One call to task-api for the whole chunk: what is current about each occurrence. */
  const lookUp = async (members: Member[]): Promise<OccurrenceLookup> => {
    const response = await daprFetch(
      deps.sidecar,
      "look up occurrences",
      `/v1.0/invoke/${deps.taskApiAppId}/method/internal/reminders/lookup`,
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          occurrences: members.map((m) => ({ reminderId: m.reminderId, occurrenceKey: m.occurrenceKey })),
        }),
      },
    );
    return (await response.json()) as OccurrenceLookup;
  };

  /**
   * Decide, render and record the chunk's request before anything is sent: the occurrences no
   * longer wanted are marked skipped, those that reach their user in-app only (reminder emails
   * off, no address) are notified and done, the others marked `sending` with the request stored
   * under the chunk's key. Returns the stored request (a concurrent attempt's, if it stored one
   * first).
   */
  const prepare = async (key: string, open: ChunkMember[]) => {
    // Anything task-api acknowledged before this instant is seen by the look-up.
    const decidedAt = new Date();
    const views = (await lookUp(open)).items;
    const emails: BatchEmail[] = [];
    const sending: ChunkMember[] = [];
    const notified: Notified[] = [];
    const skipped: Array<{ member: ChunkMember; reason: string }> = [];
    const { sender } = deps;
    open.forEach((member, i) => {
      const decision = decide(member, views[i], sender);
      if (decision.kind === "skip") skipped.push({ member, reason: decision.reason });
      else if (decision.kind === "in-app")
        notified.push({ member, title: decision.title, reason: decision.reason });
      else {
        const { subject, text, html, headers } = renderReminderEmail(decision.context);
        emails.push({
          from: sender.from,
          ...(sender.replyTo ? { replyTo: sender.replyTo } : {}),
          to: decision.context.recipient.email,
          subject,
          text,
          html,
          headers,
        });
        sending.push(member);
      }
    });
    await writeDeliveries(
      sql,
      skipped.map(({ member, reason }) => ({ member, status: "skipped", reason, decidedAt })),
      "unfinished",
    );
    // Done before the request is stored: once it is, a repeat of this chunk only sends.
    await recordNotified(deps, notified, decidedAt);
    const done = { skipped: skipped.length, notified: notified.length };
    if (sending.length === 0) return { send: undefined, ...done };
    const send = await sql.begin(async (tx) => {
      await tx`
        insert into sends (idempotency_key, emails, delivery_ids, prepared_by)
        values (${key}, ${tx.json(emails as never)}, ${sending.map((m) => m.deliveryId)}::text[], ${deps.replica})
        on conflict (idempotency_key) do nothing`;
      return (
        await tx<RecordedSend[]>`select emails, delivery_ids from sends where idempotency_key = ${key}`
      )[0];
    });
    await writeDeliveries(
      sql,
      sending.map((member, i) => ({
        member,
        status: "sending",
        recipient: emails[i]?.to,
        title: emails[i]?.subject,
        sendKey: key,
        decidedAt,
      })),
      "unfinished",
    );
    return { send, ...done };
  };

  return {
    claimPage: (_ctx: unknown, input: ClaimInput): Promise<ClaimResult> => claimPage(sql, input),

    /**
     * Deliver one chunk: look up → decide → render → record the request → wait for the chunk's
     * last instant → one batch send with the chunk's Idempotency-Key → record the outcome.
     * Safe to run again at any point: a recorded request is re-sent as recorded (the provider
     * answers a repeat from its memory, so nothing is sent twice), and recording is keyed by
     * the delivery ids. Transient failures are answered as `retry`; the workflow waits and
     * tries again.
     */
    async deliverChunk(_ctx: unknown, input: ChunkInput): Promise<ChunkResult> {
      const key = sendKeyOf(input.instanceId, input.chunk);
      const members = await membersOf(input);
      let send = await recordedSend(key);
      let skipped = 0;
      let notified = 0;
      if (!send) {
        const open = members.filter((m) => m.status === null || !FINAL.has(m.status));
        if (open.length === 0) return { outcome: "done", sent: 0, notified: 0, skipped: 0, failed: 0 };
        ({ send, skipped, notified } = await prepare(key, open));
        if (!send) return { outcome: "done", sent: 0, notified, skipped, failed: 0 };
      }
      const byId = new Map(members.map((m) => [m.deliveryId, m]));
      const sendMembers = send.delivery_ids.map((id) => {
        const member = byId.get(id);
        if (!member)
          throw new Error(`chunk ${key} sends to delivery ${id}, which is not among its occurrences`);
        return member;
      });

      const lastDue = Math.max(...sendMembers.map((m) => m.dueAt.getTime()));
      // Rendered ahead of time (the job fires REMINDER_PREPARE_MS early); never sent early.
      if (lastDue > Date.now()) await Bun.sleep(lastDue - Date.now());
      const outcome = await sendBatch(deps.resend, key, send.emails);
      if (outcome.kind === "transient") {
        deps.log.warn("chunk send will be retried", { chunk: key, reason: outcome.reason });
        return { outcome: "retry", reason: outcome.reason, retryAfterMs: outcome.retryAfterMs };
      }
      const unfinished = (i: number) => !FINAL.has((sendMembers[i] as ChunkMember).status ?? "sending");
      if (outcome.kind === "refused") {
        const failed = sendMembers
          .filter((_, i) => unfinished(i))
          .map((member) => ({ member, reason: outcome.reason }));
        await recordFailed(deps, failed);
        deps.log.warn("chunk refused by the provider", {
          chunk: key,
          emails: failed.length,
          reason: outcome.reason,
        });
        return { outcome: "done", sent: 0, notified, skipped, failed: failed.length };
      }
      const sent = [];
      const failed = [];
      for (const [i, result] of outcome.results.entries()) {
        const member = sendMembers[i] as ChunkMember;
        const email = send.emails[i] as BatchEmail;
        if (!unfinished(i)) continue;
        if ("messageId" in result) {
          sent.push({
            member,
            messageId: result.messageId,
            recipient: email.to,
            title: email.subject,
            sendKey: key,
          });
          // Permissive mode lists only emails that failed Resend's validation.
        } else
          failed.push({
            member,
            reason: `validation_error: the provider refused the email: ${result.refused}`,
          });
      }
      await recordSent(deps, sent);
      await recordFailed(deps, failed);
      if (failed.length)
        deps.log.warn("emails refused by the provider", { chunk: key, emails: failed.length });
      deps.log.debug("chunk delivered", {
        chunk: key,
        sent: sent.length,
        notified,
        skipped,
        failed: failed.length,
      });
      return { outcome: "done", sent: sent.length, notified, skipped, failed: failed.length };
    },

    /** The chunk's retries are exhausted: every occurrence not yet at an end fails, reported. */
    async failChunk(_ctx: unknown, input: ChunkInput & { reason: string }): Promise<number> {
      const open = (await membersOf(input)).filter((m) => m.status === null || !FINAL.has(m.status));
      await recordFailed(
        deps,
        open.map((member) => ({ member, reason: input.reason })),
      );
      if (open.length) {
        deps.log.warn("reminder deliveries failed", {
          chunk: sendKeyOf(input.instanceId, input.chunk),
          emails: open.length,
          reason: input.reason,
        });
      }
      return open.length;
    },
  };
}

export type DeliveryActivities = ReturnType<typeof createDeliveryActivities>;
