import { describe, expect, test } from "bun:test";
import type { DigestContent, DigestTask, ReminderEmailLinks } from "@nudge/contracts";
import fc from "fast-check";
import { renderDigestEmail } from "./digest.ts";
import { MAX_SUBJECT_TITLE, type ReminderEmailContext, renderReminderEmail } from "./reminder.ts";

const SEED = Number(process.env.EMAIL_PROPERTY_SEED ?? Date.now() % 2_147_483_647);
console.log(`email rendering properties: seed ${SEED} (EMAIL_PROPERTY_SEED=${SEED} reproduces)`);

const token = (n: number) => `${"a".repeat(300)}${n}.${"S".repeat(43)}`;
const links = (n = 0): ReminderEmailLinks => ({
  done: `https://nudge.example/email/links/${token(n + 1)}`,
  snoozeHour: `https://nudge.example/email/links/${token(n + 2)}`,
  snoozeLabel: "Snooze 1 hour",
  snoozeTomorrow: `https://nudge.example/email/links/${token(n + 3)}`,
  open: `https://nudge.example/email/links/${token(n + 4)}`,
  calendar: `https://nudge.example/email/links/${token(n + 4)}/task.ics`,
  settings: `https://nudge.example/email/settings/${token(n + 5)}`,
  unsubscribe: `https://nudge.example/email/unsubscribe/${token(n + 6)}`,
  unsubscribeToken: token(n + 6),
});
const sender = { from: "Nudge <reminders@nudge.example>", unsubscribeMailto: "unsubscribe@nudge.example" };

const context = (overrides: Partial<ReminderEmailContext["task"]> = {}): ReminderEmailContext => ({
  deliveryId: "reminder-1-2",
  recipient: { email: "ada@example.com", timeZone: "Europe/Berlin" },
  task: {
    id: "t-1",
    title: 'Submit <report> & "notes"',
    priority: "high",
    dueAt: "2030-07-01T07:30:00Z",
    ...overrides,
  },
  links: links(),
  sender,
});

/** What "simple HTML that renders well everywhere" means, checked on every rendered part. */
function expectPortableHtml(html: string, allowed: string[]) {
  expect(html).not.toMatch(/<(table|img|style|script|iframe|link|form|input|svg|video|object)\b/i);
  expect(html).not.toMatch(/\b(src|srcset|background)\s*=/i); // nothing is loaded from anywhere
  expect(html).not.toMatch(/\bon\w+\s*=/i);
  // Every element that shows something carries its style inline.
  for (const [tag] of html.matchAll(/<(a|p|h1|h2|div|hr)\b[^>]*>/g)) expect(tag).toContain('style="');
  const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]?.replace(/&amp;/g, "&"));
  for (const href of hrefs) expect(allowed).toContain(href as string);
  expect(html).toContain('<meta name="color-scheme" content="light dark">');
}

describe("the reminder email", () => {
  test("says what is due when, on the recipient's wall clock, with every action as a button and a text line", () => {
    const email = renderReminderEmail(context());
    expect(email.subject).toBe('Reminder: Submit <report> & "notes" (due Mon 1 Jul, 09:30)');
    expect(email.text).toContain("Due Mon 1 Jul 2030, 09:30 (Europe/Berlin) · high priority");
    const all = links();
    for (const [label, url] of [
      ["Mark done", all.done],
      ["Snooze 1 hour", all.snoozeHour],
      ["Snooze until tomorrow 09:00", all.snoozeTomorrow],
      ["Open", all.open],
    ] as const) {
      expect(email.text).toContain(`${label}: ${url}\n`);
      expect(email.html).toContain(`href="${url}"`);
      expect(email.html).toContain(`>${label}</a>`);
    }
    expect(email.text).toContain(`Add to calendar (.ics): ${all.calendar}`);
    expect(email.text).toContain(`Unsubscribe from reminder emails: ${all.unsubscribe}`);
    expect(email.html).toContain("Submit &lt;report&gt; &amp; &quot;notes&quot;");
    expect(email.html).not.toContain("<report>");
    expectPortableHtml(email.html, Object.values(all) as string[]);
  });

  test("carries one-click unsubscribe headers (RFC 2369 + RFC 8058) and a per-occurrence reference", () => {
    const { headers } = renderReminderEmail(context());
    expect(headers["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    expect(headers["List-Unsubscribe"]).toBe(
      `<${links().unsubscribe}>, <mailto:unsubscribe@nudge.example?subject=unsubscribe%20${token(6)}>`,
    );
    expect(headers["X-Entity-Ref-ID"]).toBe("reminder-1-2");
    expect(headers["Auto-Submitted"]).toBe("auto-generated");
    // RFC 5322: a header line stays under 998 octets.
    for (const [name, value] of Object.entries(headers))
      expect(name.length + 2 + value.length).toBeLessThan(998);
    // Without a mailto mailbox configured, the HTTPS target alone.
    const httpsOnly = renderReminderEmail({ ...context(), sender: { from: sender.from } }).headers;
    expect(httpsOnly["List-Unsubscribe"]).toBe(`<${links().unsubscribe}>`);
  });

  test("a task without a due date has no calendar link and says so", () => {
    const email = renderReminderEmail({ ...context({ dueAt: null }), links: { ...links(), calendar: null } });
    expect(email.subject).toBe('Reminder: Submit <report> & "notes"');
    expect(email.text).toContain("No due date");
    expect(email.text).not.toContain(".ics");
  });

  test("any title: the same bytes on every render, a one-line bounded subject, escaped HTML, the text as written", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", maxLength: 300 }),
        fc.constantFrom("UTC", "Asia/Kathmandu", "America/St_Johns"),
        (title, timeZone) => {
          const ctx = { ...context({ title }), recipient: { email: "ada@example.com", timeZone } };
          const email = renderReminderEmail(ctx);
          expect(renderReminderEmail(structuredClone(ctx))).toEqual(email);
          expect(email.subject).not.toMatch(/[\r\n]/);
          expect([...email.subject].length).toBeLessThanOrEqual(
            "Reminder: ".length + MAX_SUBJECT_TITLE + " (due Mon 1 Jul, 09:30)".length,
          );
          expect(email.subject).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/); // no half surrogate pair
          expect(email.text).toContain(title);
          const visible = email.html.replace(/<[^>]*>/g, "");
          expect(visible).not.toMatch(/[<>]/);
          expectPortableHtml(email.html, Object.values(links()) as string[]);
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });
});

const digestTask = (i: number, overdue: boolean): DigestTask => ({
  id: `t-${i}`,
  title: `Task number ${i} with a reasonably long title to be realistic`,
  priority: i % 3 ? "none" : "urgent",
  dueAt: new Date(Date.UTC(2030, 6, 1, 6 + (overdue ? -3 : 3), i)).toISOString(),
  overdue,
  links: links(i * 10),
});

const digest = (
  tasks: DigestTask[],
  counts = {
    overdue: tasks.filter((t) => t.overdue).length,
    dueToday: tasks.filter((t) => !t.overdue).length,
  },
): DigestContent => ({
  userId: "ada",
  day: "2030-07-01",
  at: "2030-07-01T06:00:00.000Z",
  recipient: { email: "ada@example.com", timeZone: "Europe/Berlin", digestEnabled: true },
  tasks,
  counts,
  links: { settings: links().settings, unsubscribe: links().unsubscribe, unsubscribeToken: token(6) },
});

describe("the daily digest email", () => {
  test("lists overdue tasks, then those due later that day, each with its actions", () => {
    const email = renderDigestEmail(
      digest([digestTask(1, true), digestTask(2, false), digestTask(3, false)]),
      sender,
      "digest-ada-2030-07-01",
    );
    expect(email.subject).toBe("Your tasks for Mon 1 Jul: 1 overdue, 2 due today");
    const text = email.text;
    expect(text.indexOf("OVERDUE (1)")).toBeLessThan(text.indexOf("DUE TODAY (2)"));
    expect(text).toContain(
      "* Task number 1 with a reasonably long title to be realistic — was due Mon 1 Jul 2030, 05:01",
    );
    expect(text).toContain(`  Done: ${links(10).done}`);
    expect(email.headers["List-Unsubscribe"]).toContain(links().unsubscribe);
    expect(email.headers["X-Entity-Ref-ID"]).toBe("digest-ada-2030-07-01");
    const allowed = [digestTask(1, true), digestTask(2, false), digestTask(3, false)].flatMap((t) =>
      Object.values(t.links),
    );
    expectPortableHtml(email.html, [...(allowed as string[]), links().settings, links().unsubscribe]);
  });

  test("a full digest says how many more there are, and stays under Gmail's 102 KB clipping", () => {
    const tasks = Array.from({ length: 25 }, (_, i) => digestTask(i, i < 5));
    const email = renderDigestEmail(
      digest(tasks, { overdue: 9, dueToday: 40 }),
      sender,
      "digest-ada-2030-07-01",
    );
    expect(email.subject).toBe("Your tasks for Mon 1 Jul: 9 overdue, 40 due today");
    expect(email.text).toContain("…and 24 more tasks not listed here.");
    expect(Buffer.byteLength(email.html)).toBeLessThan(100 * 1024);
  });
});
