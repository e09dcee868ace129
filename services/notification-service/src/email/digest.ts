import type { DigestContent, DigestTask } from "@nudge/contracts";
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
  subheading,
  textActions,
  textDocument,
} from "./layout.ts";
import type { RenderedEmail } from "./reminder.ts";

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** "Mon 1 Jul" of a local day (YYYY-MM-DD), independent of any zone. */
function dayName(day: string): string {
  return readableWallClock(new Date(`${day}T12:00:00Z`), "UTC").replace(/ \d{4}, \d\d:\d\d$/, "");
}

function taskActions(task: DigestTask): Action[] {
  return [
    { label: "Done", url: task.links.done },
    { label: task.links.snoozeLabel, url: task.links.snoozeHour },
    { label: "Tomorrow 09:00", url: task.links.snoozeTomorrow },
    { label: "Open", url: task.links.open },
  ];
}

/**
 * The daily digest: overdue tasks, then those due later that day, each with the same signed
 * actions as a reminder. Pure, like the reminder email; the subject names the digest's own
 * local day, so it is the same on every send and true whenever it is read.
 */
export function renderDigestEmail(digest: DigestContent, sender: Sender, entityRef: string): RenderedEmail {
  const zone = digest.recipient.timeZone;
  const { overdue, dueToday } = digest.counts;
  const summary = [overdue ? `${overdue} overdue` : "", dueToday ? `${dueToday} due today` : ""]
    .filter(Boolean)
    .join(", ");
  const subject = `Your tasks for ${dayName(digest.day)}: ${summary}`;
  const when = (task: DigestTask) =>
    `${task.overdue ? "was due" : "due"} ${readableWallClock(new Date(task.dueAt), zone)}`;
  const groups = [
    { title: "Overdue", tasks: digest.tasks.filter((t) => t.overdue) },
    { title: "Due today", tasks: digest.tasks.filter((t) => !t.overdue) },
  ].filter((group) => group.tasks.length);
  const unlisted = overdue + dueToday - digest.tasks.length;
  const more = unlisted > 0 ? `…and ${plural(unlisted, "more task")} not listed here.` : "";
  const why = "You get this digest because you turned it on in Nudge.";

  const html = htmlDocument(
    subject,
    `${summary} (${zone})`,
    [
      muted(`Daily digest · ${escapeHtml(zone)}`),
      heading(`${dayName(digest.day)}: ${summary}`),
      ...groups.flatMap((group) => [
        subheading(`${group.title} (${group.tasks.length})`),
        ...group.tasks.flatMap((task) => [
          paragraph(
            `<strong>${escapeHtml(task.title)}</strong><br>${escapeHtml(when(task))}${task.priority === "none" ? "" : ` · ${escapeHtml(task.priority)} priority`}`,
          ),
          buttons(taskActions(task), true),
        ]),
      ]),
      ...(more ? [paragraph(escapeHtml(more))] : []),
    ],
    [
      muted(escapeHtml(why)),
      muted(
        `${link("Email settings", digest.links.settings)} · ${link("Unsubscribe from the daily digest", digest.links.unsubscribe)}`,
      ),
    ],
  );
  const text = textDocument([
    [`Your tasks for ${dayName(digest.day)}: ${summary} (${zone})`],
    ...groups.flatMap((group) => [
      [`${group.title.toUpperCase()} (${group.tasks.length})`],
      ...group.tasks.map((task) => [
        `* ${task.title} — ${when(task)}`,
        ...textActions(taskActions(task)).map((l) => `  ${l}`),
      ]),
    ]),
    ...(more ? [[more]] : []),
    [
      why,
      `Email settings: ${digest.links.settings}`,
      `Unsubscribe from the daily digest: ${digest.links.unsubscribe}`,
    ],
  ]);
  return { subject, text, html, headers: mailingHeaders(digest.links, sender, entityRef) };
}
