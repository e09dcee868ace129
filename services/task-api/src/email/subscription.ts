import type { Preferences, PreferencesPatch } from "@nudge/contracts";
import type { Sql } from "@nudge/db";
import { ProblemError } from "@nudge/http";
import { readableWallClock } from "@nudge/recurrence";
import type { LinkKeys, MailingList } from "../links/links.ts";
import { paths } from "../links/mint.ts";
import { checkLink } from "../links/verify.ts";
import { getPreferences, updatePreferences } from "../users/service.ts";
import { escapeHtml, message, type Page, postButton } from "./pages.ts";
import { refusedLink } from "./task-pages.ts";

const LIST_NAMES: Record<MailingList, string> = {
  reminders: "reminder emails",
  digest: "the daily digest",
};

const isOn = (prefs: Preferences, list: MailingList) =>
  list === "reminders" ? prefs.reminderEmails : prefs.digest.enabled;
const switchTo = (list: MailingList, on: boolean): PreferencesPatch =>
  list === "reminders" ? { reminderEmails: on } : { digest: { enabled: on } };

/** The form fields of the settings page, as a browser posts them. */
export interface SettingsForm {
  email?: string;
  timeZone?: string;
  reminderEmails?: string;
  digestEnabled?: string;
  digestTime?: string;
}

const TIME = /^(?:[01]\d|2[0-3]):[0-5]\d$/;
let zoneOptions: string | undefined;

function settingsForm(prefs: Preferences, notice = "", errors: Record<string, string> = {}): string {
  zoneOptions ??= Intl.supportedValuesOf("timeZone")
    .map((zone) => `<option value="${escapeHtml(zone)}">`)
    .join("");
  const error = (field: string) =>
    errors[field] ? `<div class="error" id="${field}-error">${escapeHtml(errors[field])}</div>` : "";
  const checked = (on: boolean) => (on ? " checked" : "");
  const next = prefs.digest.nextAt
    ? `<div class="muted">Next digest: ${escapeHtml(readableWallClock(new Date(prefs.digest.nextAt), prefs.timeZone))} (${escapeHtml(prefs.timeZone)})</div>`
    : "";
  return `${notice}
<form method="post">
<label for="email">Email address for reminders</label>
<input type="email" id="email" name="email" value="${escapeHtml(prefs.email ?? "")}" autocomplete="email">${error("email")}
<label for="timeZone">Time zone</label>
<input type="text" id="timeZone" name="timeZone" value="${escapeHtml(prefs.timeZone)}" list="zones" required>${error("timeZone")}
<datalist id="zones">${zoneOptions}</datalist>
<label><input type="checkbox" name="reminderEmails"${checked(prefs.reminderEmails)}> Email me my reminders</label>
<label><input type="checkbox" name="digestEnabled"${checked(prefs.digest.enabled)}> Send me a daily digest of overdue tasks and tasks due today</label>
<label for="digestTime">Digest time</label>
<input type="time" id="digestTime" name="digestTime" value="${escapeHtml(prefs.digest.localTime)}">${error("digestTime")}
${next}
<p><button type="submit">Save</button></p>
</form>`;
}

/** The settings page and the unsubscribe pages: the same preferences service as the REST API. */
export function emailSubscription(sql: Sql, keys: LinkKeys) {
  const settingsPage = (prefs: Preferences, status = 200, notice = "", errors = {}): Page => ({
    status,
    outcome: status === 200 ? (notice ? "saved" : "settings") : "invalid",
    title: "Email settings",
    body: `<h1>Email settings</h1>\n${settingsForm(prefs, notice, errors)}`,
  });

  return {
    async viewSettings(token: string): Promise<Page> {
      const check = checkLink(keys, token, ["settings"]);
      if (!check.valid) return refusedLink(check.reason);
      return settingsPage(await getPreferences(sql, check.claims.userId));
    },

    async saveSettings(token: string, form: SettingsForm): Promise<Page> {
      const check = checkLink(keys, token, ["settings"]);
      if (!check.valid) return refusedLink(check.reason);
      const { userId } = check.claims;
      const errors: Record<string, string> = {};
      const digestTime = form.digestTime?.trim() ?? "";
      if (digestTime && !TIME.test(digestTime)) errors.digestTime = "Use a time such as 08:00.";
      const patch: PreferencesPatch = {
        email: form.email?.trim() ? form.email.trim() : null,
        timeZone: form.timeZone?.trim() ?? "",
        reminderEmails: form.reminderEmails !== undefined,
        digest: {
          enabled: form.digestEnabled !== undefined,
          ...(digestTime && !errors.digestTime ? { localTime: digestTime } : {}),
        },
      };
      if (!errors.digestTime) {
        try {
          const saved = await updatePreferences(sql, userId, patch);
          return settingsPage(saved, 200, '<p class="muted" role="status">Saved.</p>');
        } catch (error) {
          // The service names the field (body.email, body.timeZone): show it next to that field.
          if (!(error instanceof ProblemError) || error.status !== 422) throw error;
          for (const { field, message: text } of error.errors ?? [])
            errors[field.replace(/^body\./, "")] = text;
        }
      }
      const current = await getPreferences(sql, userId);
      const shown: Preferences = {
        ...current,
        email: patch.email ?? null,
        timeZone: patch.timeZone ?? current.timeZone,
        reminderEmails: patch.reminderEmails ?? current.reminderEmails,
        digest: {
          ...current.digest,
          enabled: patch.digest?.enabled ?? false,
          localTime: digestTime || current.digest.localTime,
        },
      };
      return settingsPage(
        shown,
        422,
        '<p class="error" role="alert">Nothing was saved: please correct the fields below.</p>',
        errors,
      );
    },

    /** GET: what unsubscribing would do. Never changes anything (mail scanners follow links). */
    async viewUnsubscribe(token: string): Promise<Page> {
      const check = checkLink(keys, token, ["unsubscribe"]);
      if (!check.valid) return refusedLink(check.reason);
      const list = check.claims.list ?? "reminders";
      const prefs = await getPreferences(sql, check.claims.userId);
      if (!isOn(prefs, list)) {
        return message(
          200,
          "already-off",
          `You don't get ${LIST_NAMES[list]}`,
          `${LIST_NAMES[list]} are already off.`.replace(/^./, (c) => c.toUpperCase()),
          postButton(`Turn ${LIST_NAMES[list]} back on`, `${paths.unsubscribe(token)}/undo`, {}, true),
        );
      }
      const to = prefs.email ? ` to ${prefs.email}` : "";
      return message(
        200,
        "confirm",
        `Stop ${LIST_NAMES[list]}?`,
        `We'll stop sending ${LIST_NAMES[list]}${to}. In-app notifications continue.`,
        postButton("Unsubscribe", "", { "List-Unsubscribe": "One-Click" }),
      );
    },

    /** POST, RFC 8058 one-click: no login, no confirmation; doing it twice is doing it once. */
    async unsubscribe(token: string, on = false): Promise<Page> {
      const check = checkLink(keys, token, ["unsubscribe"]);
      if (!check.valid) return refusedLink(check.reason);
      const list = check.claims.list ?? "reminders";
      await updatePreferences(sql, check.claims.userId, switchTo(list, on));
      if (on)
        return message(
          200,
          "resubscribed",
          "You're subscribed again",
          `We'll send ${LIST_NAMES[list]} again.`,
        );
      const undo = postButton("Undo", `${paths.unsubscribe(token)}/undo`, {}, true);
      return message(
        200,
        "unsubscribed",
        "You're unsubscribed",
        `We won't send ${LIST_NAMES[list]} any more. In-app notifications continue.`,
        undo,
      );
    },
  };
}
