/**
 * Unsubscribe (RFC 8058 one-click), the settings page an email links to, and the same
 * preferences through the REST API — on the real task-api and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { STARTUP_TIMEOUT_MS, TEARDOWN_TIMEOUT_MS } from "@nudge/testing";
import { startTaskApi, type TaskApiFixture, testLinkMinter } from "./fixture.ts";
import { form, page, post } from "./pages.ts";

let api: TaskApiFixture;
beforeAll(async () => {
  api = await startTaskApi();
}, STARTUP_TIMEOUT_MS);
afterAll(() => api?.stop(), TEARDOWN_TIMEOUT_MS);

const minter = () => testLinkMinter(api.baseUrl);

async function newUser(preferences: Record<string, unknown> = {}) {
  const user = `user-${crypto.randomUUID()}`;
  await api.request("PATCH", "/me/preferences", {
    user,
    body: { email: `${user}@example.com`, timeZone: "Europe/Berlin", ...preferences },
  });
  return user;
}
const preferences = async (user: string) => (await api.request("GET", "/me/preferences", { user })).body;

describe("one-click unsubscribe", () => {
  test("a POST with the RFC 8058 body and no session turns reminder emails off; GET never does", async () => {
    const user = await newUser();
    const { unsubscribe } = minter().forReminder(
      user,
      { id: crypto.randomUUID(), version: 1, dueAt: null },
      { id: crypto.randomUUID(), occurrenceKey: "k" },
      new Date(),
    );
    const shown = await page(unsubscribe);
    expect(shown).toMatchObject({ status: 200, outcome: "confirm" });
    expect(shown.text).toContain(`${user}@example.com`);
    expect((await preferences(user)).reminderEmails).toBe(true);

    // Exactly what a mailbox provider sends: no cookie, no token header, this one body.
    const response = await fetch(unsubscribe, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    expect(response.status).toBe(200);
    expect(await preferences(user)).toMatchObject({ reminderEmails: false, email: `${user}@example.com` });
    // Twice is once; the page offers Undo, which turns them back on.
    const again = await post(unsubscribe, { "List-Unsubscribe": "One-Click" });
    expect(again).toMatchObject({ status: 200, outcome: "unsubscribed" });
    expect((await page(unsubscribe)).outcome).toBe("already-off");
    const undone = await post(new URL(form(again.html, "Undo"), api.baseUrl).toString());
    expect(undone.outcome).toBe("resubscribed");
    expect((await preferences(user)).reminderEmails).toBe(true);
  });

  test("a POST with no body at all unsubscribes too; a body that is not a form is refused with a page", async () => {
    const user = await newUser();
    const { unsubscribe } = minter().forDigest(user, new Date());
    await api.request("PATCH", "/me/preferences", { user, body: { digest: { enabled: true } } });
    const response = await fetch(unsubscribe, { method: "POST" });
    expect(response.status).toBe(200);
    expect((await preferences(user)).digest).toMatchObject({ enabled: false, nextAt: null });
    // The digest's link turned off the digest only.
    expect((await preferences(user)).reminderEmails).toBe(true);

    // Like every body the boundary reads, a page's is what it says it is: a form. Anything else
    // is refused with a page (415) and changes nothing.
    const other = await newUser();
    const links = minter().forReminder(
      other,
      { id: crypto.randomUUID(), version: 1, dueAt: null },
      { id: crypto.randomUUID(), occurrenceKey: "k" },
      new Date(),
    );
    const json = await fetch(links.unsubscribe, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"List-Unsubscribe": "One-Click"}',
    });
    expect(json.status).toBe(415);
    expect(json.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect((await preferences(other)).reminderEmails).toBe(true);
  });
});

describe("the settings page an email links to", () => {
  test("shows the current preferences and saves them through the same rules as the API", async () => {
    const user = await newUser();
    const { settings } = minter().forDigest(user, new Date());
    const shown = await page(settings);
    expect(shown).toMatchObject({ status: 200, outcome: "settings" });
    expect(shown.html).toContain(`value="${user}@example.com"`);
    expect(shown.html).toContain('value="Europe/Berlin"');
    expect(shown.html).toMatch(/name="reminderEmails" checked/);

    const saved = await post(settings, {
      email: "new@example.com",
      timeZone: "America/New_York",
      digestEnabled: "on",
      digestTime: "07:30",
    });
    expect(saved).toMatchObject({ status: 200, outcome: "saved" });
    const now = await preferences(user);
    expect(now).toMatchObject({
      email: "new@example.com",
      timeZone: "America/New_York",
      reminderEmails: false,
      digest: { enabled: true, localTime: "07:30" },
    });
    // The next digest is 07:30 in New York, within the next day.
    const next = new Date(now.digest.nextAt);
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect(next.getTime() - Date.now()).toBeLessThanOrEqual(86_400_000 + 3600_000);
    const local = new Intl.DateTimeFormat("en-GB", {
      timeZone: "America/New_York",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).format(next);
    expect(local).toBe("07:30");
  });

  test("an invalid field is shown next to the field with a 422 page, and nothing is saved", async () => {
    const user = await newUser();
    const { settings } = minter().forDigest(user, new Date());
    const before = await preferences(user);
    for (const [fields, field] of [
      [{ timeZone: "Mars/Olympus_Mons", email: "a@example.com" }, "timeZone"],
      [{ timeZone: "Europe/Berlin", email: "not an address" }, "email"],
      [{ timeZone: "Europe/Berlin", digestTime: "25:00" }, "digestTime"],
    ] as const) {
      const answer = await post(settings, fields);
      expect(answer).toMatchObject({ status: 422, outcome: "invalid" });
      expect(answer.html).toContain(`id="${field}-error"`);
    }
    const unknownField = await post(settings, { timeZone: "Europe/Berlin", admin: "true" });
    expect(unknownField.status).toBe(422);
    expect(unknownField.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await preferences(user)).toEqual(before);
  });
});

describe("preferences through the REST API", () => {
  test("reminder emails, the digest and its next instant; DST-correct in the user's zone", async () => {
    const user = await newUser();
    expect(await preferences(user)).toMatchObject({
      reminderEmails: true,
      digest: { enabled: false, localTime: "08:00", nextAt: null },
    });
    const { status, body } = await api.request("PATCH", "/me/preferences", {
      user,
      body: { reminderEmails: false, digest: { enabled: true, localTime: "06:15" } },
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ reminderEmails: false, digest: { enabled: true, localTime: "06:15" } });
    const hourThere = new Intl.DateTimeFormat("en-GB", {
      timeZone: "Europe/Berlin",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).format(new Date(body.digest.nextAt));
    expect(hourThere).toBe("06:15");
  });

  test("bad digest settings are refused naming the field", async () => {
    const user = await newUser();
    for (const [digest, field] of [
      [{ localTime: "8:00" }, "body.digest.localTime"],
      [{ enabled: "yes" }, "body.digest.enabled"],
      [{}, "body.digest"],
      [{ enabled: true, at: "08:00" }, "body.digest"],
    ] as const) {
      const { status, body } = await api.request("PATCH", "/me/preferences", { user, body: { digest } });
      expect(status).toBe(422);
      expect(body.errors.map((e: { field: string }) => e.field).join(" ")).toContain(field);
    }
    const { status } = await api.request("PATCH", "/me/preferences", {
      user,
      body: { reminderEmails: "no" },
    });
    expect(status).toBe(422);
  });
});

describe("the due time as a calendar file", () => {
  test("an Open link's .ics is one event at the due time, escaped and folded per RFC 5545", async () => {
    const user = await newUser();
    const title = "Call Ada; ask about the budget, and the\nnext steps — ".repeat(3);
    const dueAt = "2030-05-06T07:30:00.000Z";
    const { body: task } = await api.request("POST", "/tasks", {
      user,
      body: { title: title.slice(0, 200), dueAt },
    });
    const links = minter().forDigestTask(user, task, new Date());
    const response = await fetch(links.calendar as string);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/calendar");
    const ics = await response.text();
    expect(ics).toStartWith("BEGIN:VCALENDAR\r\n");
    expect(ics).toContain(`UID:${task.id}@nudge\r\n`);
    expect(ics).toContain("DTSTART:20300506T073000Z\r\n");
    for (const line of ics.split("\r\n")) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    const unfolded = ics.replace(/\r\n /g, "");
    expect(unfolded).toContain("SUMMARY:Call Ada\\; ask about the budget\\, and the\\nnext steps");
    expect(unfolded).toContain(`URL:${links.open}`);

    const { body: undated } = await api.request("POST", "/tasks", { user, body: { title: "Someday" } });
    expect(minter().forDigestTask(user, undated, new Date()).calendar).toBeNull();
    const forced = `${minter().forDigestTask(user, undated, new Date()).open}/task.ics`;
    const refused = await page(forced);
    expect(refused.status).toBe(404);
    expect(refused.headers.get("content-type")).toBe("text/html; charset=utf-8");
  });
});
