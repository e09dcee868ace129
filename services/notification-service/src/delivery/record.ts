import { type ReminderEventData, TOPICS } from "@nudge/contracts";
import { type CloudEvent, daprFetch, publishEvents, type Sidecar } from "@nudge/dapr";
import type { Sql } from "@nudge/db";
import type { Member } from "./decide.ts";

/** Delivery statuses that are the end of a delivery: nothing more is done for it. */
export const FINAL = new Set(["sent", "notified", "skipped", "failed"]);

export interface DeliveryRow {
  member: Member;
  /** notified: it reached the user as an in-app notification only (reminder emails off, no address). */
  status: "sending" | "sent" | "notified" | "skipped" | "failed";
  recipient?: string;
  title?: string;
  messageId?: string;
  reason?: string;
  sendKey?: string;
  decidedAt?: Date;
}

/**
 * Write many delivery rows in one statement. A row already at an end (sent, notified, skipped,
 * failed) is left alone unless `replaceable` says which may still be replaced — so a repeated
 * step never turns a delivered one back into anything else.
 */
export async function writeDeliveries(
  sql: Sql,
  rows: DeliveryRow[],
  replaceable: "unfinished" | "all-but-sent",
): Promise<void> {
  if (rows.length === 0) return;
  const col = <T>(pick: (row: DeliveryRow) => T) => rows.map(pick);
  await sql`
    insert into deliveries (instance_id, reminder_id, task_id, user_id, occurrence_key, due_at, status,
                            recipient, title, message_id, reason, send_key, decided_at)
    select * from unnest(${col((r) => r.member.deliveryId)}::text[], ${col((r) => r.member.reminderId)}::uuid[],
                         ${col((r) => r.member.taskId)}::uuid[], ${col((r) => r.member.userId)}::text[],
                         ${col((r) => r.member.occurrenceKey)}::text[], ${col((r) => r.member.dueAt.toISOString())}::timestamptz[],
                         ${col((r) => r.status)}::text[], ${col((r) => r.recipient ?? null)}::text[],
                         ${col((r) => r.title ?? null)}::text[], ${col((r) => r.messageId ?? null)}::text[],
                         ${col((r) => r.reason?.slice(0, 2000) ?? null)}::text[], ${col((r) => r.sendKey ?? null)}::text[],
                         ${col((r) => r.decidedAt?.toISOString() ?? null)}::timestamptz[])
    on conflict (instance_id) do update set
      status = excluded.status,
      recipient = coalesce(excluded.recipient, deliveries.recipient),
      title = coalesce(excluded.title, deliveries.title),
      message_id = coalesce(excluded.message_id, deliveries.message_id),
      reason = excluded.reason,
      send_key = coalesce(excluded.send_key, deliveries.send_key),
      decided_at = coalesce(excluded.decided_at, deliveries.decided_at),
      updated_at = now()
    where ${
      replaceable === "unfinished"
        ? sql`deliveries.status not in ('sent', 'notified', 'skipped', 'failed')`
        : sql`deliveries.status not in ('sent', 'notified')`
    }`;
}

/** A v5-style UUID derived from a name: the same delivery always publishes the same event ids. */
export function uuidFromName(name: string): string {
  const hex = new Bun.CryptoHasher("sha1").update(name).digest("hex");
  const variant = ((Number.parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

function reportOf(
  member: Member,
  type: "reminder.sent" | "reminder.failed",
  extra: Partial<ReminderEventData>,
): CloudEvent<ReminderEventData> {
  return {
    specversion: "1.0",
    id: uuidFromName(`${member.deliveryId}:${type}`),
    type,
    source: "/notification-service",
    subject: member.reminderId,
    time: new Date().toISOString(),
    datacontenttype: "application/json",
    data: {
      schemaVersion: 1,
      reminderId: member.reminderId,
      taskId: member.taskId,
      userId: member.userId,
      at: member.dueAt.toISOString(),
      occurrenceKey: member.occurrenceKey,
      ...extra,
    },
  };
}

/** task-api takes request bodies up to 64 KiB: a chunk's notifications go in parts below that. */
const NOTIFICATIONS_BODY_BYTES = 48 * 1024;

/** `items` in order, cut into parts whose JSON stays under `limit` bytes (one item at least). */
export function bySize<T>(items: T[], limit: number): T[][] {
  const parts: T[][] = [];
  let part: T[] = [];
  let size = 0;
  for (const item of items) {
    const bytes = Buffer.byteLength(JSON.stringify(item)) + 1;
    if (part.length > 0 && size + bytes > limit) {
      parts.push(part);
      part = [];
      size = 0;
    }
    part.push(item);
    size += bytes;
  }
  if (part.length > 0) parts.push(part);
  return parts;
}

export interface RecordDeps {
  sql: Sql;
  sidecar: Sidecar;
  taskApiAppId: string;
}

export interface Sent {
  member: Member;
  messageId: string;
  recipient: string;
  /** The email's subject: the in-app notification's title too. */
  title: string;
  sendKey: string;
}

/** Reached its user in-app only: the notification says why no email came. */
export interface Notified {
  member: Member;
  title: string;
  reason: string;
}

/** In-app notifications, one call to task-api per part under its body limit; each once per delivery. */
async function recordNotifications(
  deps: RecordDeps,
  notifications: Array<{ member: Member; title: string; body: string }>,
): Promise<void> {
  const items = notifications.map(({ member, title, body }) => ({
    deliveryId: member.deliveryId,
    userId: member.userId,
    taskId: member.taskId,
    reminderId: member.reminderId,
    title: title.slice(0, 500),
    body: body.slice(0, 2000),
  }));
  for (const part of bySize(items, NOTIFICATIONS_BODY_BYTES)) {
    const response = await daprFetch(
      deps.sidecar,
      "record notifications",
      `/v1.0/invoke/${deps.taskApiAppId}/method/internal/notifications/batch`,
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ notifications: part }),
      },
    );
    await response.body?.cancel();
  }
}

/**
 * The provider accepted these emails: their in-app notifications (one call to task-api), their
 * `reminder.sent` events (one bulk publish), then the delivery rows marked sent (one
 * statement). Each step is keyed by the delivery id, so repeating all of it after a crash adds
 * nothing: a row is marked sent only once everything before it is done.
 */
export async function recordSent(deps: RecordDeps, sent: Sent[]): Promise<void> {
  if (sent.length === 0) return;
  await recordNotifications(
    deps,
    sent.map(({ member, recipient, title }) => ({ member, title, body: `Emailed to ${recipient}` })),
  );
  await publishEvents(
    deps.sidecar,
    TOPICS.reminders,
    sent.map(({ member, messageId }) => ({
      event: reportOf(member, "reminder.sent", { messageId, channel: "email" }),
      partitionKey: member.taskId,
    })),
  );
  await writeDeliveries(
    deps.sql,
    sent.map(({ member, messageId, recipient, title, sendKey }) => ({
      member,
      status: "sent",
      messageId,
      recipient,
      title,
      sendKey,
    })),
    "all-but-sent",
  );
}

/**
 * These occurrences reach their users in-app only: the notifications, `reminder.sent` with
 * channel in-app, then the delivery rows marked notified — in that order and keyed by the
 * delivery id, like recordSent, so a repeat after a crash adds nothing.
 */
export async function recordNotified(deps: RecordDeps, notified: Notified[], decidedAt: Date): Promise<void> {
  if (notified.length === 0) return;
  await recordNotifications(
    deps,
    notified.map(({ member, title, reason }) => ({
      member,
      title: `Reminder: ${title}`,
      body: `Not emailed: ${reason}`,
    })),
  );
  await publishEvents(
    deps.sidecar,
    TOPICS.reminders,
    notified.map(({ member }) => ({
      event: reportOf(member, "reminder.sent", { channel: "in-app" }),
      partitionKey: member.taskId,
    })),
  );
  await writeDeliveries(
    deps.sql,
    notified.map(({ member, title, reason }) => ({ member, status: "notified", title, reason, decidedAt })),
    "unfinished",
  );
}

/**
 * These occurrences failed for good: `reminder.failed` and a record on the dead-letter topic
 * for each (bulk publishes), then the delivery rows marked failed with the reason.
 */
export async function recordFailed(
  deps: RecordDeps,
  failed: Array<{ member: Member; reason: string }>,
): Promise<void> {
  if (failed.length === 0) return;
  const reports = failed.map(({ member, reason }) => ({
    member,
    event: reportOf(member, "reminder.failed", { reason: reason.slice(0, 1000) }),
  }));
  await publishEvents(
    deps.sidecar,
    TOPICS.reminders,
    reports.map(({ member, event }) => ({ event, partitionKey: member.taskId })),
  );
  await publishEvents(
    deps.sidecar,
    TOPICS.dlq,
    reports.map(({ member, event }) => ({
      event: { ...event, id: uuidFromName(`${member.deliveryId}:dlq`) },
      partitionKey: member.taskId,
    })),
  );
  await writeDeliveries(
    deps.sql,
    failed.map(({ member, reason }) => ({ member, status: "failed", reason })),
    "all-but-sent",
  );
}
