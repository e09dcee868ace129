import type { MailingLinks, ReminderEmailLinks, TaskEmailLinks } from "@nudge/contracts";
import { type LinkClaims, type LinkKeys, type MailingList, signLink } from "./links.ts";

export interface LinkSettings {
  keys: LinkKeys;
  /** PUBLIC_BASE_URL, without a trailing slash. */
  baseUrl: string;
  actionTtlSeconds: number;
  settingsTtlSeconds: number;
  snoozeSeconds: number;
}

/** "1 hour", "90 minutes", "5 seconds": how long a snooze is, as a button says it. */
export function spanText(seconds: number): string {
  const unit = (n: number, name: string) => `${n} ${name}${n === 1 ? "" : "s"}`;
  if (seconds % 86_400 === 0) return unit(seconds / 86_400, "day");
  if (seconds % 3600 === 0) return unit(seconds / 3600, "hour");
  if (seconds % 60 === 0) return unit(seconds / 60, "minute");
  return unit(seconds, "second");
}

interface TaskRef {
  id: string;
  version: number;
  dueAt: string | null;
}

/** Where each kind of link is served (routes.ts). */
export const paths = {
  link: (token: string) => `/email/links/${token}`,
  calendar: (token: string) => `/email/links/${token}/task.ics`,
  settings: (token: string) => `/email/settings/${token}`,
  unsubscribe: (token: string) => `/email/unsubscribe/${token}`,
};

/**
 * Mints the links of an email. Expiries count from the instant the email is about (the
 * reminder's occurrence, the digest's slot), never from "now": rendering the same email again
 * yields the same links, so a repeated send is byte-for-byte the first one.
 */
export function linkMinter(settings: LinkSettings) {
  const seconds = (instant: Date) => Math.floor(instant.getTime() / 1000);
  const url = (path: string) => `${settings.baseUrl}${path}`;
  const sign = (claims: LinkClaims) => signLink(settings.keys, claims);

  function taskLinks(
    userId: string,
    task: TaskRef,
    anchor: Date,
    reminder?: { id: string; occurrenceKey: string },
  ): TaskEmailLinks {
    const expiresAt = seconds(anchor) + settings.actionTtlSeconds;
    const base = { userId, taskId: task.id, taskVersion: task.version, expiresAt };
    const snooze = reminder ? { reminderId: reminder.id, occurrenceKey: reminder.occurrenceKey } : {};
    const open = sign({ ...base, action: "open" });
    return {
      done: url(paths.link(sign({ ...base, action: "done" }))),
      snoozeHour: url(paths.link(sign({ ...base, ...snooze, action: "snooze-hour" }))),
      snoozeLabel: `Snooze ${spanText(settings.snoozeSeconds)}`,
      snoozeTomorrow: url(paths.link(sign({ ...base, ...snooze, action: "snooze-tomorrow" }))),
      open: url(paths.link(open)),
      calendar: task.dueAt ? url(paths.calendar(open)) : null,
    };
  }

  function mailingLinks(userId: string, list: MailingList, anchor: Date): MailingLinks {
    const expiresAt = seconds(anchor) + settings.settingsTtlSeconds;
    const unsubscribeToken = sign({ action: "unsubscribe", userId, list, expiresAt });
    return {
      settings: url(paths.settings(sign({ action: "settings", userId, expiresAt }))),
      unsubscribe: url(paths.unsubscribe(unsubscribeToken)),
      unsubscribeToken,
    };
  }

  return {
    /** A reminder email: its snooze links move exactly the occurrence that fired. */
    forReminder(
      userId: string,
      task: TaskRef,
      reminder: { id: string; occurrenceKey: string },
      firesAt: Date,
    ): ReminderEmailLinks {
      return { ...taskLinks(userId, task, firesAt, reminder), ...mailingLinks(userId, "reminders", firesAt) };
    },
    /** One task of a digest: snoozing it adds a reminder for later. */
    forDigestTask: (userId: string, task: TaskRef, slot: Date) => taskLinks(userId, task, slot),
    forDigest: (userId: string, slot: Date) => mailingLinks(userId, "digest", slot),
    /** A fresh link for the same action on the same task (e.g. Undo), expiring no later than `expiresAt`. */
    again(claims: LinkClaims): string {
      return url(paths.link(sign(claims)));
    },
  };
}

export type LinkMinter = ReturnType<typeof linkMinter>;
