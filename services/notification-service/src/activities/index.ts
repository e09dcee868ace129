import { type ReminderEventData, type ReminderWithOwner, TOPICS } from "@nudge/contracts";
import {
  type CloudEvent,
  DaprRequestError,
  daprFetch,
  daprRequest,
  publishEvent,
  type Sidecar,
} from "@nudge/dapr";
import type { Sql } from "@nudge/db";
import type { Logger } from "@nudge/service";
import type { Resend } from "resend";
import type { Sender } from "../email/headers.ts";
import { type RenderedEmail, renderReminderEmail } from "../email/reminder.ts";
import type { ReminderJob } from "../reminders/jobs.ts";

interface ReminderEmail extends RenderedEmail {
  to: string;
}

export interface ActivityDeps {
  sql: Sql;
  sidecar: Sidecar;
  resend: Resend;
  taskApiAppId: string;
  sender: Sender;
  log: Logger;
}

/**
 * The delivery workflow's input: the job's data plus the delivery id — the job name. It keys the
 * delivery row, the email's Idempotency-Key, the in-app notification and the reported events,
 * and is the workflow's instance id too (an operator's retry runs under a new instance id with
 * the same delivery id, so a send the provider did accept is still never repeated).
 */
export interface DeliveryInput extends ReminderJob {
  deliveryId: string;
}

export type DeliveryResult =
  | { outcome: "sent"; messageId: string }
  | { outcome: "skipped" | "notified"; reason: string };

type Occurrence =
  /** email null: the user gets the in-app notification only (`inAppOnly` says why). */
  | { current: true; email: ReminderEmail | null; inAppOnly?: string; taskTitle: string }
  | { current: false; reason: string };

/** A send the provider refused for good (4xx other than 429): retrying cannot help. */
export const PERMANENT = "permanent send failure";

type ReminderView = Pick<ReminderWithOwner, "reminder" | "task" | "owner" | "links">;

/** A v5-style UUID derived from a name: the same delivery always publishes the same event ids. */
export function uuidFromName(name: string): string {
  const hex = new Bun.CryptoHasher("sha1").update(name).digest("hex");
  const variant = ((Number.parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

/** Activities are plain functions over ids; each is safe to run again (at-least-once). */
export function createActivities(deps: ActivityDeps) {
  const setDelivery = (
    input: DeliveryInput,
    fields: { status: string; recipient?: string | null; messageId?: string; reason?: string },
  ) =>
    deps.sql`
      insert into deliveries (instance_id, reminder_id, task_id, user_id, occurrence_key, due_at, status, recipient, message_id, reason)
      values (${input.deliveryId}, ${input.reminderId}, ${input.taskId}, ${input.userId}, ${input.occurrenceKey}, ${input.at},
              ${fields.status}, ${fields.recipient ?? null}, ${fields.messageId ?? null}, ${fields.reason ?? null})
      on conflict (instance_id) do update set
        status = excluded.status, recipient = coalesce(excluded.recipient, deliveries.recipient),
        message_id = coalesce(excluded.message_id, deliveries.message_id), reason = excluded.reason, updated_at = now()
      where deliveries.status not in ('sent', 'notified')`;

  const report = async (
    input: DeliveryInput,
    type: "reminder.sent" | "reminder.failed",
    extra: Partial<ReminderEventData>,
  ) => {
    const data: ReminderEventData = {
      schemaVersion: 1,
      reminderId: input.reminderId,
      taskId: input.taskId,
      userId: input.userId,
      at: input.at,
      occurrenceKey: input.occurrenceKey,
      ...extra,
    };
    const event: CloudEvent<ReminderEventData> = {
      specversion: "1.0",
      id: uuidFromName(`${input.deliveryId}:${type}`),
      type,
      source: "/notification-service",
      subject: input.reminderId,
      time: new Date().toISOString(),
      datacontenttype: "application/json",
      data,
    };
    await publishEvent(deps.sidecar, TOPICS.reminders, event, { partitionKey: input.taskId });
    return event;
  };

  /** Is this occurrence still wanted, and to whom does it go? */
  const loadOccurrence = async (input: DeliveryInput): Promise<Occurrence> => {
    const response = await daprRequest(
      deps.sidecar,
      `/v1.0/invoke/${deps.taskApiAppId}/method/internal/reminders/${input.reminderId}`,
    );
    if (response.status === 404)
      return { current: false, reason: "the reminder or its task no longer exists" };
    if (!response.ok) throw new DaprRequestError("load reminder", response.status, await response.text());
    const view = (await response.json()) as ReminderView;
    if (view.task.status !== "open") return { current: false, reason: "the task is completed" };
    if (view.reminder.occurrenceKey !== input.occurrenceKey) {
      return { current: false, reason: "the reminder was moved to another instant" };
    }
    const taskTitle = view.task.title;
    if (view.owner.reminderEmails === false) {
      return { current: true, email: null, inAppOnly: "reminder emails are off", taskTitle };
    }
    if (!view.owner.email) {
      return { current: true, email: null, inAppOnly: "no email address is set", taskTitle };
    }
    if (!view.links) return { current: false, reason: "the reminder is not armed" };
    const email = {
      to: view.owner.email,
      ...renderReminderEmail({
        deliveryId: input.deliveryId,
        recipient: { email: view.owner.email, timeZone: view.owner.timeZone },
        task: view.task,
        links: view.links,
        sender: deps.sender,
      }),
    };
    return { current: true, email, taskTitle };
  };

  /** Sends through Resend with the delivery id as Idempotency-Key: a repeat never sends twice. */
  const sendEmail = async (deliveryId: string, email: ReminderEmail): Promise<string> => {
    const { data, error } = await deps.resend.emails.send(
      {
        from: deps.sender.from,
        ...(deps.sender.replyTo ? { replyTo: deps.sender.replyTo } : {}),
        to: email.to,
        subject: email.subject,
        text: email.text,
        html: email.html,
        headers: email.headers,
      },
      { idempotencyKey: deliveryId },
    );
    if (data?.id) return data.id;
    const status = (error as { statusCode?: number } | null)?.statusCode ?? 0;
    const detail = `${error?.name ?? "unknown"}: ${error?.message ?? "no answer"} (HTTP ${status})`;
    // 429 and 5xx (and no status: a network failure) are worth retrying; other 4xx are not.
    if (status >= 400 && status < 500 && status !== 429) throw new Error(`${PERMANENT}: ${detail}`);
    throw new Error(`transient send failure: ${detail}`);
  };

  /** In-app notification, then the delivery marked sent, then reminder.sent: "sent" means all done. */
  const recordSent = async (
    input: DeliveryInput,
    sent: { messageId: string; recipient: string; title: string } | { inAppOnly: string; title: string },
  ) => {
    const notification = await daprFetch(
      deps.sidecar,
      "record notification",
      `/v1.0/invoke/${deps.taskApiAppId}/method/internal/notifications`,
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          deliveryId: input.deliveryId,
          userId: input.userId,
          taskId: input.taskId,
          reminderId: input.reminderId,
          title: `Reminder: ${sent.title}`.slice(0, 500),
          body: "inAppOnly" in sent ? `Not emailed: ${sent.inAppOnly}` : `Emailed to ${sent.recipient}`,
        }),
      },
    );
    await notification.body?.cancel();
    if ("inAppOnly" in sent) {
      await setDelivery(input, { status: "notified", reason: sent.inAppOnly });
      await report(input, "reminder.sent", { channel: "in-app" });
      return;
    }
    await setDelivery(input, { status: "sent", recipient: sent.recipient, messageId: sent.messageId });
    await report(input, "reminder.sent", { messageId: sent.messageId, channel: "email" });
  };

  return {
    /**
     * The whole delivery in one activity — load → render → send → record — so it costs the
     * workflow engine one round trip. Safe to run again at any point: the delivery row says how
     * far an earlier attempt got (a message id means the provider accepted the email: only the
     * recording is repeated), the send carries the delivery id as Idempotency-Key, and the
     * notification and event are keyed by the delivery id too. Throws on transient failures
     * (retried by the workflow) and with PERMANENT when the provider refuses for good.
     */
    async deliverReminder(_ctx: unknown, input: DeliveryInput): Promise<DeliveryResult> {
      const [row] = await deps.sql<
        {
          status: string;
          message_id: string | null;
          recipient: string | null;
          title: string | null;
          reason: string | null;
        }[]
      >`
        insert into deliveries (instance_id, reminder_id, task_id, user_id, occurrence_key, due_at, status)
        values (${input.deliveryId}, ${input.reminderId}, ${input.taskId}, ${input.userId}, ${input.occurrenceKey},
                ${input.at}, 'sending')
        on conflict (instance_id) do update set
          status = case when deliveries.status in ('sent', 'notified') then deliveries.status else 'sending' end,
          updated_at = now()
        returning status, message_id, recipient, title, reason`;
      if (row?.status === "sent" && row.message_id) return { outcome: "sent", messageId: row.message_id };
      if (row?.status === "notified") return { outcome: "notified", reason: row.reason ?? "in-app only" };
      if (row?.message_id && row.recipient) {
        const sent = { messageId: row.message_id, recipient: row.recipient, title: row.title ?? "" };
        await recordSent(input, sent);
        return { outcome: "sent", messageId: sent.messageId };
      }
      const occurrence = await loadOccurrence(input);
      if (!occurrence.current) {
        await setDelivery(input, { status: "skipped", reason: occurrence.reason });
        return { outcome: "skipped", reason: occurrence.reason };
      }
      if (!occurrence.email) {
        const reason = occurrence.inAppOnly ?? "in-app only";
        await recordSent(input, { inAppOnly: reason, title: occurrence.taskTitle });
        return { outcome: "notified", reason };
      }
      const messageId = await sendEmail(input.deliveryId, occurrence.email);
      const sent = { messageId, recipient: occurrence.email.to, title: occurrence.taskTitle };
      await deps.sql`
        update deliveries set message_id = ${messageId}, recipient = ${sent.recipient}, title = ${sent.title}
        where instance_id = ${input.deliveryId}`;
      await recordSent(input, sent);
      return { outcome: "sent", messageId };
    },

    /** Retries are exhausted: mark it, report it, and park a record on the dead-letter topic. */
    async recordFailed(_ctx: unknown, input: DeliveryInput & { reason: string }) {
      await setDelivery(input, { status: "failed", reason: input.reason });
      const event = await report(input, "reminder.failed", { reason: input.reason.slice(0, 1000) });
      await publishEvent(
        deps.sidecar,
        TOPICS.dlq,
        { ...event, id: uuidFromName(`${input.deliveryId}:dlq`) },
        { partitionKey: input.taskId },
      );
      deps.log.warn("reminder delivery failed", { deliveryId: input.deliveryId, reason: input.reason });
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
