/**
 * One reminder email, rendered from what is current about its occurrence. Pure: the same
 * context always renders the same email, so a chunk's send can be repeated byte for byte and
 * the rendering is tested without any infrastructure. The delivery pipeline calls only
 * `renderReminderEmail`; what an email says (and which headers it carries) is decided here.
 */
export interface ReminderContext {
  /** Keys the email's Idempotency-Key share, the in-app notification and the events. */
  deliveryId: string;
  recipient: { userId: string; email: string; timeZone: string };
  task: { id: string; title: string; priority: string; dueAt: string | null };
  reminder: { id: string; occurrenceKey: string; at: string };
  /** Links in emails: <linkBaseUrl>/tasks/<id> and <linkBaseUrl>/settings. */
  linkBaseUrl: string;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
  /** Sent as the email's own headers (Resend's `headers`, per email in a batch too). */
  headers: Record<string, string>;
}

/** "2030-01-01 10:00" in the zone: a locale-neutral, unambiguous rendering. */
export function localDateTime(instant: string, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    })
      .formatToParts(new Date(instant))
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );

export function renderReminderEmail({
  deliveryId,
  recipient,
  task,
  linkBaseUrl,
}: ReminderContext): RenderedEmail {
  const { timeZone } = recipient;
  const due = task.dueAt ? `${localDateTime(task.dueAt, timeZone)} (${timeZone})` : "no due date";
  const link = `${linkBaseUrl}/tasks/${task.id}`;
  const settings = `${linkBaseUrl}/settings`;
  const priority = task.priority === "none" ? undefined : `Priority: ${task.priority}`;
  const text = [
    `Reminder: ${task.title}`,
    "",
    `Due: ${due}`,
    ...(priority ? [priority] : []),
    "",
    `Open the task: ${link}`,
    "",
    `You receive this because you set a reminder. Change reminder emails: ${settings}`,
  ].join("\n");
  const html = [
    `<h1 style="font-size:18px">${escapeHtml(task.title)}</h1>`,
    `<p>Due: <strong>${escapeHtml(due)}</strong></p>`,
    ...(priority ? [`<p>${escapeHtml(priority)}</p>`] : []),
    `<p><a href="${escapeHtml(link)}">Open the task</a></p>`,
    `<p style="color:#666;font-size:12px">You receive this because you set a reminder. <a href="${escapeHtml(settings)}">Change reminder emails</a></p>`,
  ].join("\n");
  // A distinct reference per occurrence keeps mail clients from threading every reminder of
  // the same task title into one conversation.
  const headers = { "X-Entity-Ref-ID": deliveryId };
  return { subject: `Reminder: ${task.title}`, text, html, headers };
}
