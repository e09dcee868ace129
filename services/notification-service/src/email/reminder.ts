import type { ReminderEmailLinks } from "@nudge/contracts";
import { readableWallClock } from "@nudge/recurrence";
import { mailingHeaders, type Sender } from "./headers.ts";
import {
  type Action,
  buttons,
  escapeHtml,
  heading,
  htmlDocument,
  link,
  muted,
  paragraph,
  textActions,
  textDocument,
} from "./layout.ts";

/** Everything one reminder email says, as task-api reported it at delivery time. */
export interface ReminderEmailContext {
  /** Distinct per occurrence: the email's X-Entity-Ref-ID. */
  deliveryId: string;
  recipient: { email: string; timeZone: string };
  task: { id: string; title: string; priority: string; dueAt: string | null };
  /** Signed by task-api: each grants one action on this task to this recipient. */
  links: ReminderEmailLinks;
  sender: Sender;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
  /** Sent as the email's own headers (Resend's `headers`, per email in a batch too). */
  headers: Record<string, string>;
}

export const MAX_SUBJECT_TITLE = 120;
/** One line, bounded: a header never carries a line break, whatever a title holds. */
export const clip = (text: string, max: number) => {
  const line = text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, " ").trim();
  const chars = [...line]; // code points: never half of a surrogate pair
  return chars.length > max ? `${chars.slice(0, max - 1).join("")}…` : line;
};

/** "Mon 1 Jul 2030, 09:30 (Europe/Berlin)" */
export const dueText = (dueAt: string | null, timeZone: string) =>
  dueAt ? `${readableWallClock(new Date(dueAt), timeZone)} (${timeZone})` : null;

/**
 * One reminder email. Pure: the same context always renders the same bytes, so a repeated send
 * is the send before (idempotency keys compare payloads). The subject names the due time on the
 * recipient's wall clock, never "today" or "in 5 minutes", so it stays true whenever it is read.
 */
export function renderReminderEmail(ctx: ReminderEmailContext): RenderedEmail {
  const { task, links, recipient } = ctx;
  const due = dueText(task.dueAt, recipient.timeZone);
  const shortDue = task.dueAt
    ? readableWallClock(new Date(task.dueAt), recipient.timeZone).replace(/ \d{4},/, ",")
    : null;
  const subject = `Reminder: ${clip(task.title, MAX_SUBJECT_TITLE)}${shortDue ? ` (due ${shortDue})` : ""}`;
  const details = [
    due ? `Due ${due}` : "No due date",
    task.priority === "none" ? null : `${task.priority} priority`,
  ]
    .filter(Boolean)
    .join(" · ");
  const actions: Action[] = [
    { label: "Mark done", url: links.done },
    { label: links.snoozeLabel, url: links.snoozeHour },
    { label: "Snooze until tomorrow 09:00", url: links.snoozeTomorrow },
    { label: "Open", url: links.open },
  ];
  const calendar = links.calendar ? [{ label: "Add to calendar (.ics)", url: links.calendar }] : [];
  const why = "You get this email because you set a reminder in Nudge.";

  const text = textDocument([
    [`Reminder: ${task.title}`, details],
    textActions([...actions, ...calendar]),
    [why, `Email settings: ${links.settings}`, `Unsubscribe from reminder emails: ${links.unsubscribe}`],
  ]);
  const html = htmlDocument(
    subject,
    details,
    [
      muted("Reminder"),
      heading(task.title),
      paragraph(escapeHtml(details)),
      buttons(actions),
      ...(links.calendar ? [muted(link("Add the due time to your calendar (.ics)", links.calendar))] : []),
    ],
    [
      muted(escapeHtml(why)),
      muted(
        `${link("Email settings", links.settings)} · ${link("Unsubscribe from reminder emails", links.unsubscribe)}`,
      ),
    ],
  );
  return { subject, text, html, headers: mailingHeaders(links, ctx.sender, ctx.deliveryId) };
}
