import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { OccurrenceLookup, ReminderWithOwner } from "@nudge/contracts";
import { STARTUP_TIMEOUT_MS, TEARDOWN_TIMEOUT_MS } from "@nudge/testing";
import { Value } from "@sinclair/typebox/value";
import { startTaskApi, type TaskApiFixture } from "./fixture.ts";

let api: TaskApiFixture;
beforeAll(async () => {
  api = await startTaskApi();
}, STARTUP_TIMEOUT_MS);
afterAll(() => api?.stop(), TEARDOWN_TIMEOUT_MS);

const HOUR = 3_600_000;
const fromNow = (ms: number) => new Date(Date.now() + ms).toISOString();
const newUser = () => `user-${crypto.randomUUID()}`;

async function createTask(user: string, body: Record<string, unknown> = {}) {
  const created = await api.request("POST", "/tasks", { user, body: { title: "Call the dentist", ...body } });
  expect(created.status).toBe(201);
  return created.body as { id: string; dueAt: string | null };
}

async function addReminder(user: string, taskId: string, body: unknown, headers?: Record<string, string>) {
  return api.request("POST", `/tasks/${taskId}/reminders`, { user, body, headers });
}

describe("creating and reading reminders", () => {
  test("an absolute reminder fires at its instant, with an occurrence key naming reminder and instant", async () => {
    const user = newUser();
    const task = await createTask(user);
    const at = new Date(Date.now() + 2 * HOUR);
    const created = await addReminder(user, task.id, { at: at.toISOString() });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      taskId: task.id,
      at: at.toISOString(),
      before: null,
      firesAt: at.toISOString(),
      occurrenceKey: `${created.body.id}:${at.getTime()}`,
    });
    const listed = await api.request("GET", `/tasks/${task.id}/reminders`, { user });
    expect(listed.body).toEqual([created.body]);
  });

  test("a relative reminder fires that long before the due date, read back in canonical form", async () => {
    const user = newUser();
    const due = new Date(Date.now() + 48 * HOUR);
    const task = await createTask(user, { dueAt: due.toISOString() });
    const created = await addReminder(user, task.id, { before: "PT90M" });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      at: null,
      before: "PT1H30M",
      firesAt: new Date(due.getTime() - 1.5 * HOUR).toISOString(),
    });
  });

  test("a relative reminder on a task without a due date is accepted, unarmed until the task gets one", async () => {
    const user = newUser();
    const task = await createTask(user);
    const created = await addReminder(user, task.id, { before: "PT15M" });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ before: "PT15M", firesAt: null, occurrenceKey: null });
    const due = new Date(Date.now() + 5 * HOUR);
    await api.request("PATCH", `/tasks/${task.id}`, { user, body: { dueAt: due.toISOString() } });
    const [reminder] = (await api.request("GET", `/tasks/${task.id}/reminders`, { user })).body;
    expect(reminder.firesAt).toBe(new Date(due.getTime() - 15 * 60_000).toISOString());
    expect(reminder.occurrenceKey).toBe(`${reminder.id}:${due.getTime() - 15 * 60_000}`);
  });

  test("days before the due date are calendar days in the task's time zone, hours are exact", async () => {
    const user = newUser();
    // Monday 1 April 2030, 09:00 in Berlin (CEST); clocks went forward early on Sunday 31 March.
    const task = await createTask(user, { dueAt: "2030-04-01T07:00:00Z", timeZone: "Europe/Berlin" });
    const days = await addReminder(user, task.id, { before: "P2D" });
    const hours = await addReminder(user, task.id, { before: "PT48H" });
    expect(days.body.firesAt).toBe("2030-03-30T08:00:00.000Z"); // Saturday 09:00 CET
    expect(hours.body.firesAt).toBe("2030-03-30T07:00:00.000Z"); // exactly 48 hours earlier
  });

  test("a reminder whose instant has passed is refused with 422 naming the field, and not stored", async () => {
    const user = newUser();
    const task = await createTask(user, { dueAt: fromNow(HOUR) });
    const past = await addReminder(user, task.id, { at: fromNow(-60_000) });
    expect(past.status).toBe(422);
    expect(past.body.errors.map((e: { field: string }) => e.field)).toEqual(["body.at"]);
    const tooEarly = await addReminder(user, task.id, { before: "P1D" });
    expect(tooEarly.status).toBe(422);
    expect(tooEarly.body.errors.map((e: { field: string }) => e.field)).toEqual(["body.before"]);
    expect((await api.request("GET", `/tasks/${task.id}/reminders`, { user })).body).toEqual([]);
  });

  test("a retried create with the same Idempotency-Key returns the first reminder", async () => {
    const user = newUser();
    const task = await createTask(user);
    const body = { at: fromNow(3 * HOUR) };
    const headers = { "idempotency-key": `reminder-${crypto.randomUUID()}` };
    const first = await addReminder(user, task.id, body, headers);
    const second = await addReminder(user, task.id, body, headers);
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect((await api.request("GET", `/tasks/${task.id}/reminders`, { user })).body).toHaveLength(1);
  });

  test("the hasReminders filter finds exactly the tasks with reminders", async () => {
    const user = newUser();
    const withOne = await createTask(user, { title: "With" });
    const without = await createTask(user, { title: "Without" });
    await addReminder(user, withOne.id, { at: fromNow(HOUR) });
    const ids = async (flag: string) =>
      (await api.request("GET", `/tasks?hasReminders=${flag}`, { user })).body.items.map(
        (t: { id: string }) => t.id,
      );
    expect(await ids("true")).toEqual([withOne.id]);
    expect(await ids("false")).toEqual([without.id]);
  });

  test("deleting a reminder removes it; deleting it again is 404", async () => {
    const user = newUser();
    const task = await createTask(user);
    const { body: reminder } = await addReminder(user, task.id, { at: fromNow(HOUR) });
    const path = `/tasks/${task.id}/reminders/${reminder.id}`;
    expect((await api.request("DELETE", path, { user })).status).toBe(204);
    expect((await api.request("GET", `/tasks/${task.id}/reminders`, { user })).body).toEqual([]);
    expect((await api.request("DELETE", path, { user })).status).toBe(404);
  });
});

describe("snoozing", () => {
  test("snoozing for a while or until an instant moves firesAt and the occurrence key", async () => {
    const user = newUser();
    const task = await createTask(user);
    const { body: reminder } = await addReminder(user, task.id, { at: fromNow(HOUR) });
    const asked = Date.now();
    const later = await api.request("POST", `/reminders/${reminder.id}/snooze`, {
      user,
      body: { for: "PT2H" },
    });
    expect(later.status).toBe(200);
    const firesAt = Date.parse(later.body.firesAt);
    expect(firesAt).toBeGreaterThanOrEqual(asked + 2 * HOUR);
    expect(firesAt).toBeLessThan(Date.now() + 2 * HOUR + 1000);
    expect(later.body.occurrenceKey).toBe(`${reminder.id}:${firesAt}`);
    expect(later.body.at).toBe(reminder.at); // the reminder itself is unchanged

    const until = new Date(Date.now() + 5 * HOUR);
    const snoozed = await api.request("POST", `/reminders/${reminder.id}/snooze`, {
      user,
      body: { until: until.toISOString() },
    });
    expect(snoozed.body).toMatchObject({
      firesAt: until.toISOString(),
      occurrenceKey: `${reminder.id}:${until.getTime()}`,
    });
    const past = await api.request("POST", `/reminders/${reminder.id}/snooze`, {
      user,
      body: { until: fromNow(-HOUR) },
    });
    expect(past.status).toBe(422);
    expect(past.body.errors[0].field).toBe("body.until");
  });

  test("a snooze still ahead keeps its instant when the due date moves", async () => {
    const user = newUser();
    const task = await createTask(user, { dueAt: fromNow(10 * HOUR) });
    const { body: reminder } = await addReminder(user, task.id, { before: "PT1H" });
    const until = new Date(Date.now() + 2 * HOUR).toISOString();
    await api.request("POST", `/reminders/${reminder.id}/snooze`, { user, body: { until } });
    await api.request("PATCH", `/tasks/${task.id}`, { user, body: { dueAt: fromNow(20 * HOUR) } });
    const [after] = (await api.request("GET", `/tasks/${task.id}/reminders`, { user })).body;
    expect(after.firesAt).toBe(until);
  });

  test("a reminder of a completed task cannot be snoozed (409)", async () => {
    const user = newUser();
    const task = await createTask(user);
    const { body: reminder } = await addReminder(user, task.id, { at: fromNow(HOUR) });
    await api.request("POST", `/tasks/${task.id}/complete`, { user });
    const snoozed = await api.request("POST", `/reminders/${reminder.id}/snooze`, {
      user,
      body: { for: "PT10M" },
    });
    expect(snoozed.status).toBe(409);
    expect(snoozed.headers.get("content-type")).toContain("application/problem+json");
  });
});

describe("one user never sees or changes another's reminders", () => {
  test("Bob gets 404 for Alice's task and reminder, as if they did not exist", async () => {
    const [alice, bob] = [newUser(), newUser()];
    const task = await createTask(alice);
    const other = await createTask(alice, { title: "Another" });
    const { body: reminder } = await addReminder(alice, task.id, { at: fromNow(HOUR) });
    const attempts: Array<[string, string, unknown, string]> = [
      ["POST", `/tasks/${task.id}/reminders`, { at: fromNow(HOUR) }, bob],
      ["GET", `/tasks/${task.id}/reminders`, undefined, bob],
      ["DELETE", `/tasks/${task.id}/reminders/${reminder.id}`, undefined, bob],
      ["POST", `/reminders/${reminder.id}/snooze`, { for: "PT5M" }, bob],
      // Alice's reminder addressed through her other task is not found either.
      ["DELETE", `/tasks/${other.id}/reminders/${reminder.id}`, undefined, alice],
    ];
    for (const [method, path, body, user] of attempts) {
      const response = await api.request(method, path, { user, body });
      expect({ method, path, status: response.status }).toEqual({ method, path, status: 404 });
    }
    expect((await api.request("GET", `/tasks/${task.id}/reminders`, { user: alice })).body).toEqual([
      reminder,
    ]);
  });
});

describe("the delivery workflow's view, through Dapr service invocation", () => {
  const invoke = (id: string) =>
    fetch(`${api.sidecar.httpUrl}/v1.0/invoke/task-api/method/internal/reminders/${id}`);

  test("a reminder comes with its task and its owner's preferences; 404 once the task is gone", async () => {
    const user = newUser();
    await api.request("PATCH", "/me/preferences", {
      user,
      body: { email: "ada@example.test", timeZone: "Europe/Paris" },
    });
    const task = await createTask(user);
    const { body: reminder } = await addReminder(user, task.id, { at: fromNow(HOUR) });
    const response = await invoke(reminder.id);
    expect(response.status).toBe(200);
    const view = await response.json();
    expect([...Value.Errors(ReminderWithOwner, view)]).toEqual([]);
    expect(view).toMatchObject({
      reminder: { id: reminder.id, occurrenceKey: reminder.occurrenceKey },
      task: { id: task.id, status: "open" },
      owner: { userId: user, timeZone: "Europe/Paris", email: "ada@example.test" },
    });
    expect((await api.request("GET", `/internal/reminders/${reminder.id}`)).status).toBe(403);

    await api.request("DELETE", `/tasks/${task.id}`, { user });
    expect((await invoke(reminder.id)).status).toBe(404);
    expect((await invoke(crypto.randomUUID())).status).toBe(404);
  });
});

describe("a chunk's look-up, through Dapr service invocation", () => {
  const lookup = (body: unknown) =>
    fetch(`${api.sidecar.httpUrl}/v1.0/invoke/task-api/method/internal/reminders/lookup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  test("answers each occurrence in request order with its reminder's current key, task and owner", async () => {
    const [ada, bob] = [newUser(), newUser()];
    await api.request("PATCH", "/me/preferences", {
      user: ada,
      body: { email: "ada@example.test", timeZone: "Europe/Paris" },
    });
    // Bob unsubscribed from reminder emails: the look-up says so, notification-service decides.
    await api.request("PATCH", "/me/preferences", { user: bob, body: { reminderEmails: false } });
    const adaTask = await createTask(ada, { title: "Ada's", priority: "high" });
    const bobTask = await createTask(bob, { title: "Bob's" });
    const { body: kept } = await addReminder(ada, adaTask.id, { at: fromNow(HOUR) });
    const { body: moved } = await addReminder(bob, bobTask.id, { at: fromNow(HOUR) });
    const { body: snoozed } = await api.request("POST", `/reminders/${moved.id}/snooze`, {
      user: bob,
      body: { until: fromNow(2 * HOUR) },
    });
    const missing = crypto.randomUUID();
    const asked: Array<{ reminderId: string; occurrenceKey: string }> = [
      { reminderId: moved.id, occurrenceKey: moved.occurrenceKey },
      { reminderId: missing, occurrenceKey: `${missing}:1` },
      { reminderId: kept.id, occurrenceKey: kept.occurrenceKey },
    ];

    const response = await lookup({ occurrences: asked });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as OccurrenceLookup;
    expect([...Value.Errors(OccurrenceLookup, answer)]).toEqual([]);
    const [bobItem, , adaItem] = answer.items;
    expect(answer.items).toEqual([
      {
        ...(asked[0] as (typeof asked)[number]),
        currentOccurrenceKey: snoozed.occurrenceKey,
        task: { id: bobTask.id, title: "Bob's", status: "open", priority: "none", dueAt: null },
        owner: { userId: bob, timeZone: "UTC", email: null, reminderEmails: false },
        // The occurrence asked for is not current: no email, so no links.
        links: null,
      },
      { ...(asked[1] as (typeof asked)[number]), currentOccurrenceKey: null, task: null, owner: null },
      {
        ...(asked[2] as (typeof asked)[number]),
        currentOccurrenceKey: kept.occurrenceKey,
        task: { id: adaTask.id, title: "Ada's", status: "open", priority: "high", dueAt: null },
        owner: { userId: ada, timeZone: "Europe/Paris", email: "ada@example.test", reminderEmails: true },
        links: adaItem?.links,
      },
    ]);
    expect(bobItem?.links).toBeNull();
    // The links are task-api's own signed grants for exactly this occurrence: each one opens its
    // page on the public base URL, and none is another's.
    const links = adaItem?.links;
    if (!links) throw new Error("the current occurrence came without links");
    const grants = [links.done, links.snoozeHour, links.snoozeTomorrow, links.open];
    expect(new Set(grants).size).toBe(4);
    for (const url of grants) {
      expect(url).toStartWith(`${api.baseUrl}/email/links/`);
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("Ada&#39;s");
    }
    expect(links.calendar).toBeNull(); // the task has no due time
    expect(links.unsubscribe).toStartWith(`${api.baseUrl}/email/unsubscribe/`);
    expect(links.settings).toStartWith(`${api.baseUrl}/email/settings/`);
    expect(snoozed.occurrenceKey).not.toBe(moved.occurrenceKey);
  });

  test("refuses more than 100 occurrences, an empty list, and calls that bypass the sidecar", async () => {
    const ref = { reminderId: crypto.randomUUID(), occurrenceKey: "k" };
    expect((await lookup({ occurrences: Array.from({ length: 101 }, () => ref) })).status).toBe(422);
    expect((await lookup({ occurrences: [] })).status).toBe(422);
    const direct = await api.request("POST", "/internal/reminders/lookup", { body: { occurrences: [ref] } });
    expect(direct.status).toBe(403);
  });
});
