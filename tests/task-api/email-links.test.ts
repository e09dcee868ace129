/**
 * The pages email links lead to, on the real task-api (PostgreSQL, outbox → Kafka): GET never
 * changes anything, POST acts once through the same services as the REST API, and every link
 * that cannot act — used, expired, altered, someone else's, signed with a retired key, for a
 * task that changed — gets a page with a 4xx and changes nothing.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createLogger } from "@nudge/service";
import {
  type EventRecorder,
  freePort,
  STARTUP_TIMEOUT_MS,
  startEventRecorder,
  TEARDOWN_TIMEOUT_MS,
} from "@nudge/testing";
import { buildApp } from "../../services/task-api/src/app.ts";
import { loadConfig } from "../../services/task-api/src/config.ts";
import { type LinkClaims, linkKey, signLink } from "../../services/task-api/src/links/links.ts";
import { EMAIL_LINK_KEY, startTaskApi, type TaskApiFixture, taskApiEnv, testLinkMinter } from "./fixture.ts";
import { form, page, post } from "./pages.ts";

let api: TaskApiFixture;
let recorder: EventRecorder;
beforeAll(async () => {
  api = await startTaskApi();
  recorder = await startEventRecorder(api.stack, ["task-events"], "email-links-recorder");
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  await recorder?.stop();
  await api?.stop();
}, TEARDOWN_TIMEOUT_MS);

const minter = () => testLinkMinter(api.baseUrl);
const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

async function userWithTask(body: Record<string, unknown> = {}) {
  const user = `user-${crypto.randomUUID()}`;
  await api.request("PATCH", "/me/preferences", {
    user,
    body: { email: `${user}@example.com`, timeZone: "Europe/Berlin" },
  });
  const dueAt = new Date(Date.now() + 2 * 3600_000).toISOString();
  const { body: task } = await api.request("POST", "/tasks", {
    user,
    body: { title: "Pay rent", dueAt, ...body },
  });
  return { user, task };
}

/** A reminder that is armed, and the links of the email its occurrence would send. */
async function reminderEmail(user: string, task: { id: string; version: number; dueAt: string | null }) {
  const at = new Date(Date.now() + 3600_000).toISOString();
  const { body: reminder } = await api.request("POST", `/tasks/${task.id}/reminders`, { user, body: { at } });
  const links = minter().forReminder(user, task, reminder, new Date(reminder.firesAt));
  return { reminder, links };
}

const taskOf = async (user: string, id: string) => (await api.request("GET", `/tasks/${id}`, { user })).body;
const completedEvents = (taskId: string) =>
  recorder.about(taskId, "task-events").filter((e) => e.type === "task.completed");

describe("Mark done from an email", () => {
  test("GET shows the task and a button, and changes nothing however often it is fetched", async () => {
    const { user, task } = await userWithTask();
    const { links } = await reminderEmail(user, task);
    for (let i = 0; i < 3; i++) {
      const shown = await page(links.done);
      expect(shown.status).toBe(200);
      expect(shown.outcome).toBe("confirm");
      expect(shown.text).toContain("Pay rent");
      expect(shown.html).toMatch(/<form method="post"><button type="submit">Mark done<\/button><\/form>/);
      expect(shown.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(shown.headers.get("referrer-policy")).toBe("no-referrer");
    }
    expect(await taskOf(user, task.id)).toMatchObject({ status: "open", version: task.version });
  });

  test("POST completes the task once, as the API would; a second POST changes nothing and says so", async () => {
    const { user, task } = await userWithTask();
    const { links } = await reminderEmail(user, task);
    const done = await post(links.done);
    expect(done).toMatchObject({ status: 200, outcome: "done" });
    expect(done.text).toContain("Done: Pay rent");
    expect(done.html).toContain(">Undo</button>");
    expect(await taskOf(user, task.id)).toMatchObject({ status: "completed", version: task.version + 1 });

    const again = await post(links.done);
    expect(again).toMatchObject({ status: 409, outcome: "already-used" });
    expect(again.text).toContain("You already used this link");
    expect(again.text).toContain("marked the task done");
    expect((await taskOf(user, task.id)).version).toBe(task.version + 1);

    // One task.completed, and nothing after it: a later change on the same task (same partition)
    // arrives behind any duplicate.
    await api.request("PATCH", `/tasks/${task.id}`, { user, body: { title: "Pay rent (paid)" } });
    await recorder.waitForCount((e) => e.subject === task.id && e.type === "task.updated", 1);
    expect(completedEvents(task.id)).toHaveLength(1);
    expect(completedEvents(task.id)[0]?.data).toMatchObject({ task: { status: "completed", userId: user } });
  }, 60_000);

  test("the same link posted ten times at once completes the task once", async () => {
    const { user, task } = await userWithTask();
    const { links } = await reminderEmail(user, task);
    const answers = await Promise.all(Array.from({ length: 10 }, () => post(links.done)));
    expect(answers.filter((a) => a.outcome === "done")).toHaveLength(1);
    expect(answers.filter((a) => a.outcome === "already-used")).toHaveLength(9);
    expect((await taskOf(user, task.id)).version).toBe(task.version + 1);
  });

  test("Undo reopens the task, once", async () => {
    const { user, task } = await userWithTask();
    const { links } = await reminderEmail(user, task);
    const done = await post(links.done);
    const undo = form(done.html, "Undo");
    const reopened = await post(new URL(undo, api.baseUrl).toString());
    expect(reopened).toMatchObject({ status: 200, outcome: "reopened" });
    expect(await taskOf(user, task.id)).toMatchObject({ status: "open", version: task.version + 2 });
    expect((await post(new URL(undo, api.baseUrl).toString())).outcome).toBe("already-used");
  });

  test("a task completed, changed or deleted since the email is not acted on, with a page that says why", async () => {
    const completed = await userWithTask();
    const completedLinks = (await reminderEmail(completed.user, completed.task)).links;
    await api.request("POST", `/tasks/${completed.task.id}/complete`, { user: completed.user });
    const alreadyDone = await post(completedLinks.done);
    expect(alreadyDone).toMatchObject({ status: 409, outcome: "already-done" });

    const changed = await userWithTask();
    const changedLinks = (await reminderEmail(changed.user, changed.task)).links;
    const { body: moved } = await api.request("PATCH", `/tasks/${changed.task.id}`, {
      user: changed.user,
      body: { title: "Pay rent to the new landlord" },
    });
    for (const answer of [await page(changedLinks.done), await post(changedLinks.done)]) {
      expect(answer).toMatchObject({ status: 409, outcome: "changed" });
      expect(answer.text).toContain("Pay rent to the new landlord");
    }
    expect(await taskOf(changed.user, changed.task.id)).toMatchObject({
      status: "open",
      version: moved.version,
    });
    // The page offers the action on the task as it is now; that works.
    const fresh = form((await page(changedLinks.done)).html, "Mark done anyway");
    expect((await post(fresh)).outcome).toBe("done");

    const deleted = await userWithTask();
    const deletedLinks = (await reminderEmail(deleted.user, deleted.task)).links;
    await api.request("DELETE", `/tasks/${deleted.task.id}`, { user: deleted.user });
    for (const url of [deletedLinks.done, deletedLinks.snoozeHour, deletedLinks.open]) {
      expect(await post(url)).toMatchObject({ status: url === deletedLinks.open ? 405 : 404 });
      expect((await page(url)).status).toBe(404);
    }
  }, 60_000);
});

describe("Snooze from an email", () => {
  test("Snooze 1 hour moves the occurrence an hour from now; the email's other snooze link then refuses", async () => {
    const { user, task } = await userWithTask();
    const { reminder, links } = await reminderEmail(user, task);
    const before = Date.now();
    const snoozed = await post(links.snoozeHour);
    expect(snoozed).toMatchObject({ status: 200, outcome: "snoozed" });
    const [after] = (await api.request("GET", `/tasks/${task.id}/reminders`, { user })).body;
    expect(after.occurrenceKey).not.toBe(reminder.occurrenceKey);
    const firesAt = new Date(after.firesAt).getTime();
    expect(firesAt).toBeGreaterThanOrEqual(before + 3600_000 - 1000);
    expect(firesAt).toBeLessThanOrEqual(Date.now() + 3600_000);

    const other = await post(links.snoozeTomorrow);
    expect(other).toMatchObject({ status: 409, outcome: "moved" });
    const [unchanged] = (await api.request("GET", `/tasks/${task.id}/reminders`, { user })).body;
    expect(unchanged.occurrenceKey).toBe(after.occurrenceKey);
  });

  test("Snooze until tomorrow is 09:00 on the next day of the recipient's zone", async () => {
    const { user, task } = await userWithTask();
    await api.request("PATCH", "/me/preferences", { user, body: { timeZone: "Asia/Kathmandu" } });
    const { links } = await reminderEmail(user, task);
    expect((await post(links.snoozeTomorrow)).outcome).toBe("snoozed");
    const [after] = (await api.request("GET", `/tasks/${task.id}/reminders`, { user })).body;
    // Kathmandu is UTC+05:45 all year: 09:00 there is 03:15Z, on the day after today there.
    const todayThere = new Date(Date.now() + (5 * 60 + 45) * 60_000).toISOString().slice(0, 10);
    const tomorrow = new Date(`${todayThere}T03:15:00Z`).getTime() + 86_400_000;
    expect(new Date(after.firesAt).getTime()).toBe(tomorrow);
  });

  test("a digest's snooze link (no reminder yet) adds a reminder for later", async () => {
    const { user, task } = await userWithTask();
    const links = minter().forDigestTask(user, task, new Date());
    expect((await post(links.snoozeHour)).outcome).toBe("snoozed");
    const reminders = (await api.request("GET", `/tasks/${task.id}/reminders`, { user })).body;
    expect(reminders).toHaveLength(1);
    expect((await post(links.snoozeHour)).outcome).toBe("already-used");
    expect((await api.request("GET", `/tasks/${task.id}/reminders`, { user })).body).toHaveLength(1);
  });
});

describe("links that cannot act get a page with a 4xx, and change nothing", () => {
  const sign = (claims: LinkClaims, secret = EMAIL_LINK_KEY) =>
    signLink({ current: linkKey(secret) }, claims);
  const doneLink = (claims: LinkClaims, secret?: string) =>
    `${api.baseUrl}/email/links/${sign(claims, secret)}`;

  async function expectRefused(url: string, status: number, user: string, taskId: string) {
    const before = await taskOf(user, taskId);
    for (const answer of [await page(url), await post(url)]) {
      expect(answer.status).toBe(status);
      expect(answer.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(answer.text).toContain("Nothing was changed");
    }
    expect(await taskOf(user, taskId)).toEqual(before);
  }

  test("altered: any character of the link changed", async () => {
    const { user, task } = await userWithTask();
    const token = sign({
      action: "done",
      userId: user,
      taskId: task.id,
      taskVersion: 1,
      expiresAt: inAnHour(),
    });
    const dot = token.indexOf(".");
    for (const index of [3, dot - 2, dot + 5, token.length - 1]) {
      const char = token[index] === "A" ? "B" : "A";
      const altered = token.slice(0, index) + char + token.slice(index + 1);
      const status = (await page(`${api.baseUrl}/email/links/${altered}`)).status;
      expect([400, 403]).toContain(status);
      await expectRefused(`${api.baseUrl}/email/links/${altered}`, status, user, task.id);
    }
  });

  test("expired", async () => {
    const { user, task } = await userWithTask();
    const url = doneLink({
      action: "done",
      userId: user,
      taskId: task.id,
      taskVersion: 1,
      expiresAt: inAnHour() - 7200,
    });
    await expectRefused(url, 410, user, task.id);
  });

  test("for another user: someone else's task is not found", async () => {
    const owner = await userWithTask();
    const other = `user-${crypto.randomUUID()}`;
    const url = doneLink({
      action: "done",
      userId: other,
      taskId: owner.task.id,
      taskVersion: 1,
      expiresAt: inAnHour(),
    });
    await expectRefused(url, 404, owner.user, owner.task.id);
  });

  test("signed with a key we never had, or with a retired one after the rotation", async () => {
    const { user, task } = await userWithTask();
    const claims: LinkClaims = {
      action: "done",
      userId: user,
      taskId: task.id,
      taskVersion: 1,
      expiresAt: inAnHour(),
    };
    await expectRefused(doneLink(claims, "a-key-that-task-api-never-had-0123456789"), 403, user, task.id);

    // Rotation: the key the link was signed with becomes the previous one, then is dropped.
    const rotated = await taskApiWithKeys("the-next-email-link-key-0123456789abcdef", EMAIL_LINK_KEY);
    const retired = await taskApiWithKeys("the-next-email-link-key-0123456789abcdef");
    try {
      const token = sign(claims);
      const during = await page(`${rotated.url}/email/links/${token}`);
      expect(during).toMatchObject({ status: 200, outcome: "confirm" });
      const after = `${retired.url}/email/links/${token}`;
      expect(await page(after)).toMatchObject({ status: 403, outcome: "unknown-key" });
      expect(await post(after)).toMatchObject({ status: 403, outcome: "unknown-key" });
      expect((await taskOf(user, task.id)).status).toBe("open");
      expect(await post(`${rotated.url}/email/links/${token}`)).toMatchObject({
        status: 200,
        outcome: "done",
      });
    } finally {
      await rotated.stop();
      await retired.stop();
    }
  });

  test("a settings or unsubscribe link is no task link, and a task link no settings link", async () => {
    const { user, task } = await userWithTask();
    const settings = sign({ action: "settings", userId: user, expiresAt: inAnHour() });
    await expectRefused(`${api.baseUrl}/email/links/${settings}`, 404, user, task.id);
    const done = sign({
      action: "done",
      userId: user,
      taskId: task.id,
      taskVersion: 1,
      expiresAt: inAnHour(),
    });
    expect((await page(`${api.baseUrl}/email/settings/${done}`)).status).toBe(404);
    expect((await post(`${api.baseUrl}/email/unsubscribe/${done}`)).status).toBe(404);
    expect((await api.request("GET", "/me/preferences", { user })).body.reminderEmails).toBe(true);
  });

  test("anything else in the token's place is a 4xx page, never a 500", async () => {
    const junk = [
      "x",
      "a.b",
      "%E2%82",
      `${"A".repeat(2000)}.${"B".repeat(43)}`,
      "e30.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
      "..",
      "a%2Fb",
    ];
    for (const token of junk) {
      for (const path of ["links", "settings", "unsubscribe"]) {
        for (const answer of [
          await page(`${api.baseUrl}/email/${path}/${token}`),
          await post(`${api.baseUrl}/email/${path}/${token}`),
        ]) {
          expect(answer.status).toBeGreaterThanOrEqual(400);
          expect(answer.status).toBeLessThan(500);
          expect(answer.headers.get("content-type")).toBe("text/html; charset=utf-8");
        }
      }
    }
  });
});

describe("the boundary reads a page's body as a strict form and answers every refusal as a page", () => {
  const expectPage = async (response: Response, status: number) => {
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await response.text()).toContain('<main data-outcome="refused">');
  };

  test("a repeated field, bytes that are not UTF-8, a body over 64 KiB, JSON: 400, 400, 413, 415", async () => {
    const { user, task } = await userWithTask();
    const settings = minter().forDigest(user, new Date()).settings;
    const form = { "content-type": "application/x-www-form-urlencoded" };
    await expectPage(
      await fetch(settings, { method: "POST", headers: form, body: "email=a%40b.co&email=c%40d.co" }),
      400,
    );
    await expectPage(
      await fetch(settings, { method: "POST", headers: form, body: new Uint8Array([0x65, 0x3d, 0xff]) }),
      400,
    );
    await expectPage(
      await fetch(settings, { method: "POST", headers: form, body: `email=${"x".repeat(70_000)}` }),
      413,
    );
    await expectPage(
      await fetch(settings, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }),
      415,
    );
    // An unknown page and an undeclared method are pages too (with Allow).
    await expectPage(await fetch(`${api.baseUrl}/email/nothing-here`), 404);
    const put = await fetch(minter().forDigestTask(user, task, new Date()).done, { method: "PUT" });
    expect(put.headers.get("allow")).toBe("GET, POST");
    await expectPage(put, 405);
    expect((await api.request("GET", "/me/preferences", { user })).body.email).toBe(`${user}@example.com`);
  });
});

/** The same task-api on the same database, with other signing keys (a rotation's two steps). */
async function taskApiWithKeys(current: string, previous?: string) {
  const port = await freePort();
  const env = taskApiEnv(api.stack.databaseUrl, "task_api", port, { httpPort: 1, grpcPort: 1 } as never);
  const config = loadConfig({
    ...env,
    EMAIL_LINK_KEY: current,
    ...(previous ? { EMAIL_LINK_KEY_PREVIOUS: previous } : {}),
    LOG_LEVEL: "warn",
  });
  const app = buildApp({
    sql: api.sql,
    config,
    sidecar: config.sidecar,
    log: createLogger("task-api", "warn"),
  });
  app.listen({ port, hostname: "127.0.0.1" });
  return { url: `http://127.0.0.1:${port}`, stop: () => app.stop(true) };
}
