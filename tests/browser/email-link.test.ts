/**
 * A person's path through a reminder email, in a real browser: Debian's headless Chromium,
 * driven by playwright-core (no browser download). The email comes through the real reminder
 * path into the capture inbox; the browser opens the inbox, follows the email's Mark done link,
 * presses the page's button and reads the result. Screenshots of the email (light and dark) and
 * of the pages land in .cache/screenshots for the docs.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { CapturedEmail } from "@nudge/mail-capture";
import { repoRoot, STARTUP_TIMEOUT_MS, TEARDOWN_TIMEOUT_MS, waitFor } from "@nudge/testing";
import { type Browser, chromium } from "playwright-core";
import { type ReminderSystem, startReminderSystem } from "../notification-service/fixture.ts";

/** Debian's chromium package; ./nudge test installs it (scripts/stack/browser.sh). */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SHOTS = join(repoRoot, ".cache", "screenshots");

let system: ReminderSystem;
let browser: Browser;
beforeAll(async () => {
  system = await startReminderSystem();
  // Flags that work on a machine without network access beyond loopback: nothing phones home.
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  mkdirSync(SHOTS, { recursive: true });
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  await browser?.close();
  await system?.stop();
}, TEARDOWN_TIMEOUT_MS);

async function reminderEmail(title: string) {
  const user = `user-${crypto.randomUUID()}`;
  const email = `${user}@example.com`;
  await system.api.request("PATCH", "/me/preferences", { user, body: { email, timeZone: "Europe/Berlin" } });
  const dueAt = new Date(Date.now() + 2 * 3600_000).toISOString();
  const { body: task } = await system.api.request("POST", "/tasks", {
    user,
    body: { title, dueAt, priority: "high", description: "The invoice is in the shared folder." },
  });
  const at = new Date(Math.ceil((Date.now() + 2000) / 1000) * 1000).toISOString();
  await system.api.request("POST", `/tasks/${task.id}/reminders`, { user, body: { at } });
  const mail = await waitFor(
    "the reminder email",
    () => system.mail.emails().find((m) => [m.to].flat().includes(email)),
    { timeoutMs: 20_000, intervalMs: 50 },
  );
  return { user, task, mail: mail as CapturedEmail };
}

describe("a reminder email in a real browser", () => {
  test("the inbox shows the email's headers; its Mark done link leads to a page whose button completes the task", async () => {
    const { user, task, mail } = await reminderEmail("Pay the electricity bill");

    // The email itself, as a mail client shows it, light and dark.
    for (const scheme of ["light", "dark"] as const) {
      const context = await browser.newContext({
        colorScheme: scheme,
        viewport: { width: 640, height: 720 },
      });
      const shown = await context.newPage();
      await shown.setContent(mail.html ?? "", { waitUntil: "load" });
      if (scheme === "dark")
        await shown.addStyleTag({ content: "body { background: #1f2023; color: #e8e8e8; }" });
      expect(await shown.locator("h1").textContent()).toBe("Pay the electricity bill");
      await shown.screenshot({ path: join(SHOTS, `reminder-email-${scheme}.png`), fullPage: true });
      await context.close();
    }

    const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
    const inbox = await context.newPage();
    await inbox.goto(system.mail.url);
    const article = inbox.locator(`article[id="${mail.id}"]`);
    const headers = await article.locator("dl.headers").textContent();
    expect(headers).toContain("List-Unsubscribe-Post");
    expect(headers).toContain("List-Unsubscribe=One-Click");

    // Follow the link as a developer would: it opens in a new tab.
    const [confirm] = await Promise.all([
      context.waitForEvent("page"),
      article.locator("ul.links a", { hasText: /^Mark done$/ }).click(),
    ]);
    await confirm.waitForLoadState("load");
    expect(await confirm.locator("h1").textContent()).toBe("Mark this task done?");
    expect(await confirm.locator("main").getAttribute("data-outcome")).toBe("confirm");
    await confirm.screenshot({ path: join(SHOTS, "mark-done-confirm.png"), fullPage: true });
    // Opening the page changed nothing.
    expect((await system.api.request("GET", `/tasks/${task.id}`, { user })).body.status).toBe("open");

    await Promise.all([
      confirm.waitForLoadState("load"),
      confirm.getByRole("button", { name: "Mark done" }).click(),
    ]);
    await confirm.waitForSelector('main[data-outcome="done"]');
    expect(await confirm.locator("h1").textContent()).toBe("Done: Pay the electricity bill");
    expect(await confirm.getByRole("button", { name: "Undo" }).isVisible()).toBe(true);
    await confirm.screenshot({ path: join(SHOTS, "mark-done-result.png"), fullPage: true });
    expect((await system.api.request("GET", `/tasks/${task.id}`, { user })).body.status).toBe("completed");

    // Back: the page is never cached (no-store), so it is asked again and says the link was used already.
    await confirm.goBack();
    await confirm.waitForSelector("main[data-outcome]");
    expect(await confirm.locator("main").getAttribute("data-outcome")).toBe("already-used");
    expect(await confirm.getByRole("button", { name: "Mark done" }).count()).toBe(0);
    await context.close();
  }, 90_000);

  test("a button inside the email's own HTML opens the snooze page from the sandboxed preview", async () => {
    const { mail } = await reminderEmail("Book the dentist");
    const context = await browser.newContext();
    const inbox = await context.newPage();
    await inbox.goto(system.mail.url);
    const frame = inbox.frameLocator(`article[id="${mail.id}"] iframe`);
    const [snooze] = await Promise.all([
      context.waitForEvent("page"),
      frame.getByRole("link", { name: "Snooze 1 hour" }).click(),
    ]);
    await snooze.waitForLoadState("load");
    expect(await snooze.locator("main").getAttribute("data-outcome")).toBe("confirm");
    expect(await snooze.locator("h1").textContent()).toStartWith("Remind you again at ");
    await snooze.getByRole("button", { name: "Snooze 1 hour" }).click();
    await snooze.waitForSelector('main[data-outcome="snoozed"]');
    expect(await snooze.locator("h1").textContent()).toBe("Snoozed: Book the dentist");
    await context.close();
  }, 60_000);
});
