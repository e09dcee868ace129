import type { Task } from "@nudge/contracts";
import { readableWallClock } from "@nudge/recurrence";
import type { LinkAction, LinkClaims } from "../links/links.ts";
import { paths } from "../links/mint.ts";
import type { LinkRefusal } from "../links/verify.ts";
import { escapeHtml, message, type Page, postButton } from "./pages.ts";

const REFUSALS: Record<LinkRefusal, [number, string, string]> = {
  malformed: [
    400,
    "This link is incomplete",
    "The link is damaged or was cut short. Open it again from the email, or copy all of it.",
  ],
  "bad-signature": [
    403,
    "This link is not valid",
    "The link was changed after we sent it, so it can't be used. Open it again from the email.",
  ],
  "unknown-key": [
    403,
    "This link is no longer valid",
    "Links from emails this old can no longer be used. The next email has fresh ones.",
  ],
  expired: [
    410,
    "This link has expired",
    "Links in emails work for a limited time. The next email has fresh ones.",
  ],
  "wrong-kind": [404, "This link doesn't go here", "Open the link exactly as it is in the email."],
  "read-only": [405, "This link only shows a task", "It does not change anything."],
};

/** A link we did not accept: nothing was looked up, nothing changed. */
export function refusedLink(reason: LinkRefusal): Page {
  const [status, heading, text] = REFUSALS[reason];
  return message(status, reason, heading, `${text} Nothing was changed.`);
}

export function taskCard(task: Task, zone: string): string {
  const due = task.dueAt ? `Due ${readableWallClock(new Date(task.dueAt), zone)} (${zone})` : "No due date";
  const lines = [
    `<h2>${escapeHtml(task.title)}</h2>`,
    `<div class="muted">${escapeHtml(due)}${task.priority === "none" ? "" : ` · ${escapeHtml(task.priority)} priority`}${task.status === "completed" ? " · done" : ""}</div>`,
    task.description ? `<p>${escapeHtml(task.description)}</p>` : "",
    task.tags.length ? `<div class="muted">${task.tags.map(escapeHtml).join(" · ")}</div>` : "",
  ];
  return `<section class="card">${lines.filter(Boolean).join("\n")}</section>`;
}

/** A refusal about the task as it is now (used, done, gone, moved): shows the task when it exists. */
export function stalePage(outcome: string, text: string, status = 409, task?: Task, zone?: string): Page {
  const card = task && zone ? taskCard(task, zone) : "";
  return message(status, outcome, "Nothing was changed", text, card);
}

const VERBS: Record<LinkAction, string> = {
  done: "Mark done",
  "snooze-hour": "Snooze 1 hour",
  "snooze-tomorrow": "Snooze until tomorrow 09:00",
  open: "Open",
  reopen: "Reopen",
  settings: "Save",
  unsubscribe: "Unsubscribe",
};

export function changedPage(task: Task, zone: string, action: LinkAction, fresh: string): Page {
  return {
    status: 409,
    outcome: "changed",
    title: "This task changed",
    body: `<h1>This task changed after the email was sent</h1>
<p>Nothing was changed. Here is the task as it is now:</p>
${taskCard(task, zone)}
${postButton(`${VERBS[action]} anyway`, fresh)}`,
  };
}

export const calendarLink = (token: string, task: Task) =>
  task.dueAt
    ? `<p><a href="${escapeHtml(paths.calendar(token))}">Add the due time to your calendar (.ics)</a></p>`
    : "";

export function taskPage(task: Task, zone: string, extra: string): Page {
  return {
    status: 200,
    outcome: "task",
    title: task.title,
    body: `<h1>Your task</h1>\n${taskCard(task, zone)}\n${extra}`,
  };
}

/** GET of an action link: what it will do, and the one button that does it. */
export function confirmPage(
  claims: LinkClaims,
  task: Task,
  zone: string,
  until: Date,
  snoozeLabel: string,
): Page {
  const when = `${readableWallClock(until, zone)} (${zone})`;
  const question: Record<string, string> = {
    done: "Mark this task done?",
    reopen: "Reopen this task?",
    "snooze-hour": claims.reminderId ? `Remind you again at ${when}?` : `Add a reminder for ${when}?`,
    "snooze-tomorrow": claims.reminderId
      ? `Remind you again tomorrow, ${when}?`
      : `Add a reminder for tomorrow, ${when}?`,
  };
  const label = claims.action === "snooze-hour" ? snoozeLabel : VERBS[claims.action];
  return {
    status: 200,
    outcome: "confirm",
    title: label,
    body: `<h1>${escapeHtml(question[claims.action] ?? "")}</h1>\n${taskCard(task, zone)}\n${postButton(label)}`,
  };
}

/** After the action: what happened (the title is also what a second use of the link is told). */
export function resultPage(
  kind: "done" | "reopened" | "snoozed",
  task: Task,
  zone: string,
  extra: string,
  until?: Date,
): Page {
  const title =
    kind === "done"
      ? "marked the task done"
      : kind === "reopened"
        ? "reopened the task"
        : `snoozed it until ${readableWallClock(until as Date, zone)} (${zone})`;
  const heading = kind === "done" ? "Done" : kind === "reopened" ? "Reopened" : "Snoozed";
  const note =
    kind === "done" && task.recurrence ? "<p>It repeats: the next one will be in your list shortly.</p>" : "";
  const text =
    kind === "snoozed"
      ? `We'll remind you again on ${readableWallClock(until as Date, zone)} (${zone}).`
      : "";
  return {
    status: 200,
    outcome: kind,
    title,
    body: `<h1>${heading}: ${escapeHtml(task.title)}</h1>\n${text ? `<p>${escapeHtml(text)}</p>\n` : ""}${taskCard(task, zone)}\n${note}${extra}`,
  };
}
