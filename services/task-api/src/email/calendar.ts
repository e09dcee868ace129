import type { Task } from "@nudge/contracts";

/** RFC 5545 §3.3.11: backslash, semicolon, comma and newlines are escaped in TEXT values. */
const text = (value: string) =>
  value.replace(/\\/g, "\\\\").replace(/;/g, "\\;").replace(/,/g, "\\,").replace(/\r?\n/g, "\\n");

const utc = (instant: string) => `${new Date(instant).toISOString().replace(/[-:]/g, "").slice(0, 15)}Z`;

/** RFC 5545 §3.1: lines longer than 75 octets are folded (CRLF + one space), never inside a character. */
export function fold(line: string): string {
  const out: string[] = [];
  let current = "";
  let octets = 0;
  for (const char of line) {
    const size = Buffer.byteLength(char);
    if (octets + size > (out.length ? 74 : 75)) {
      out.push(current);
      current = "";
      octets = 0;
    }
    current += char;
    octets += size;
  }
  out.push(current);
  return out.join("\r\n ");
}

/**
 * The task's due time as a calendar event (a point in time shown as 15 minutes), with a display
 * alarm at the due time. Deterministic for a task version: DTSTAMP is the task's last change.
 */
export function taskCalendar(task: Task, openUrl: string): string {
  if (!task.dueAt) throw new RangeError("a task without a due date has no calendar entry");
  const due = utc(task.dueAt);
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Nudge//Task reminders//EN",
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
    "BEGIN:VEVENT",
    `UID:${task.id}@nudge`,
    `SEQUENCE:${task.version}`,
    `DTSTAMP:${utc(task.updatedAt)}`,
    `DTSTART:${due}`,
    "DURATION:PT15M",
    `SUMMARY:${text(task.title)}`,
    ...(task.description ? [`DESCRIPTION:${text(task.description)}`] : []),
    `URL:${openUrl}`,
    "TRANSP:TRANSPARENT",
    "BEGIN:VALARM",
    "ACTION:DISPLAY",
    `DESCRIPTION:${text(task.title)}`,
    "TRIGGER;RELATED=START:PT0S",
    "END:VALARM",
    "END:VEVENT",
    "END:VCALENDAR",
  ];
  return `${lines.map(fold).join("\r\n")}\r\n`;
}
