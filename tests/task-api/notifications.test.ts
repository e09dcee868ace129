import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Notification, NotificationPage } from "@nudge/contracts";
import { STARTUP_TIMEOUT_MS, TEARDOWN_TIMEOUT_MS } from "@nudge/testing";
import { Value } from "@sinclair/typebox/value";
import { startTaskApi, type TaskApiFixture } from "./fixture.ts";

let api: TaskApiFixture;
beforeAll(async () => {
  api = await startTaskApi();
}, STARTUP_TIMEOUT_MS);
afterAll(() => api?.stop(), TEARDOWN_TIMEOUT_MS);

const newUser = () => `user-${crypto.randomUUID()}`;

/** What notification-service does after an email went out: through its sidecar, by app-id. */
function recordDelivery(body: Record<string, unknown>) {
  return fetch(`${api.sidecar.httpUrl}/v1.0/invoke/task-api/method/internal/notifications`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

/** A task with a reminder, and a delivery of it recorded as a notification. */
async function notify(user: string, title: string) {
  const { body: task } = await api.request("POST", "/tasks", { user, body: { title } });
  const { body: reminder } = await api.request("POST", `/tasks/${task.id}/reminders`, {
    user,
    body: { at: new Date(Date.now() + 3_600_000).toISOString() },
  });
  const response = await recordDelivery({
    deliveryId: `reminder-${reminder.id}-${crypto.randomUUID()}`,
    userId: user,
    taskId: task.id,
    reminderId: reminder.id,
    title: `Reminder: ${title}`,
    body: "Emailed to you",
  });
  expect(response.status).toBe(201);
  return (await response.json()) as Notification;
}

const feed = (user: string, query = "") => api.request("GET", `/notifications${query}`, { user });

describe("in-app notifications", () => {
  test("recording the same delivery twice keeps one notification and answers with the first", async () => {
    const user = newUser();
    const { body: task } = await api.request("POST", "/tasks", { user, body: { title: "Pay rent" } });
    const { body: reminder } = await api.request("POST", `/tasks/${task.id}/reminders`, {
      user,
      body: { at: new Date(Date.now() + 3_600_000).toISOString() },
    });
    const body = {
      deliveryId: `reminder-${reminder.id}-${reminder.occurrenceKey}`,
      userId: user,
      taskId: task.id,
      reminderId: reminder.id,
      title: "Reminder: Pay rent",
      body: "Emailed to ada@example.test",
    };
    const first = await recordDelivery(body);
    const second = await recordDelivery({ ...body, title: "A retry with other words" });
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    const [a, b] = [await first.json(), await second.json()];
    expect(b).toEqual(a);
    expect([...Value.Errors(Notification, a)]).toEqual([]);
    expect(a).toMatchObject({
      taskId: task.id,
      reminderId: reminder.id,
      title: "Reminder: Pay rent",
      readAt: null,
    });

    const { body: page } = await feed(user);
    expect(page).toEqual({ items: [a], unreadCount: 1, nextCursor: null });
  });

  test("the internal route refuses calls that did not come through the sidecar", async () => {
    const direct = await api.request("POST", "/internal/notifications", {
      body: {
        deliveryId: "d",
        userId: "u",
        taskId: crypto.randomUUID(),
        reminderId: crypto.randomUUID(),
        title: "t",
        body: "b",
      },
    });
    expect(direct.status).toBe(403);
  });

  test("the feed lists unread first, then newest, with the unread count; read and read-all work", async () => {
    const user = newUser();
    const [oldest, middle, newest] = [
      await notify(user, "Oldest"),
      await notify(user, "Middle"),
      await notify(user, "Newest"),
    ];
    const read = await api.request("POST", `/notifications/${newest.id}/read`, { user });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: newest.id });
    expect(read.body.readAt).not.toBeNull();
    const again = await api.request("POST", `/notifications/${newest.id}/read`, { user });
    expect(again.body.readAt).toBe(read.body.readAt); // reading twice keeps the first read time

    const { body: page } = await feed(user);
    expect([...Value.Errors(NotificationPage, page)]).toEqual([]);
    expect(page.items.map((n: Notification) => n.title)).toEqual([
      "Reminder: Middle",
      "Reminder: Oldest",
      "Reminder: Newest",
    ]);
    expect(page.unreadCount).toBe(2);

    const all = await api.request("POST", "/notifications/read-all", { user });
    expect(all.body).toEqual({ marked: 2 });
    const after = (await feed(user)).body;
    expect(after.unreadCount).toBe(0);
    expect(after.items.map((n: Notification) => n.id)).toEqual([newest.id, middle.id, oldest.id]);
    expect(after.items.every((n: Notification) => n.readAt !== null)).toBe(true);
    expect((await api.request("POST", "/notifications/read-all", { user })).body).toEqual({ marked: 0 });
  });

  test("pages follow the cursor without gaps or repeats", async () => {
    const user = newUser();
    const made: Notification[] = [];
    for (let i = 0; i < 5; i++) made.push(await notify(user, `N${i}`));
    await api.request("POST", `/notifications/${made[4]?.id}/read`, { user });
    await api.request("POST", `/notifications/${made[1]?.id}/read`, { user });

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `?limit=2${cursor ? `&cursor=${cursor}` : ""}`;
      const { status, body } = await feed(user, query);
      expect(status).toBe(200);
      expect(body.items.length).toBeLessThanOrEqual(2);
      expect(body.unreadCount).toBe(3);
      seen.push(...body.items.map((n: Notification) => n.title));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(["Reminder: N3", "Reminder: N2", "Reminder: N0", "Reminder: N4", "Reminder: N1"]);
  });

  test("another user sees none of them and cannot mark them read", async () => {
    const [alice, bob] = [newUser(), newUser()];
    const mine = await notify(alice, "Private");
    expect((await feed(bob)).body).toEqual({ items: [], unreadCount: 0, nextCursor: null });
    expect((await api.request("POST", `/notifications/${mine.id}/read`, { user: bob })).status).toBe(404);
    expect((await api.request("POST", "/notifications/read-all", { user: bob })).body).toEqual({ marked: 0 });
    expect((await feed(alice)).body.unreadCount).toBe(1);
  });

  test("a notification outlives the task it was about", async () => {
    const user = newUser();
    const notification = await notify(user, "Gone soon");
    await api.request("DELETE", `/tasks/${notification.taskId}`, { user });
    const { body } = await feed(user);
    expect(body.items).toEqual([{ ...notification, taskId: null, reminderId: null }]);
  });
});

describe("a chunk's in-app notifications in one call", () => {
  const recordBatch = (notifications: unknown[]) =>
    fetch(`${api.sidecar.httpUrl}/v1.0/invoke/task-api/method/internal/notifications/batch`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ notifications }),
    });

  test("records each delivery once, linked to its task and reminder, and a repeat changes nothing", async () => {
    const [ada, bob] = [newUser(), newUser()];
    const made = [];
    for (const user of [ada, bob]) {
      const { body: task } = await api.request("POST", "/tasks", { user, body: { title: `For ${user}` } });
      const { body: reminder } = await api.request("POST", `/tasks/${task.id}/reminders`, {
        user,
        body: { at: new Date(Date.now() + 3_600_000).toISOString() },
      });
      made.push({
        deliveryId: `reminder-${reminder.id}-${crypto.randomUUID()}`,
        userId: user,
        taskId: task.id,
        reminderId: reminder.id,
        title: `Reminder: For ${user}`,
        body: "Emailed to you",
      });
    }
    const first = await recordBatch(made);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ created: 2, repeated: 0 });
    const again = await recordBatch([...made, { ...made[0], title: "A retry with other words" }]);
    expect(await again.json()).toEqual({ created: 0, repeated: 3 });

    const { body: adaFeed } = await feed(ada);
    expect(adaFeed.items).toHaveLength(1);
    expect(adaFeed.items[0]).toMatchObject({ title: `Reminder: For ${ada}`, taskId: made[0]?.taskId });
    expect((await feed(bob)).body.items).toHaveLength(1);
  });

  test("a delivery naming another user's task is recorded without the link", async () => {
    const [ada, mallory] = [newUser(), newUser()];
    const { body: task } = await api.request("POST", "/tasks", { user: ada, body: { title: "Ada's" } });
    const response = await recordBatch([
      {
        deliveryId: `reminder-${crypto.randomUUID()}`,
        userId: mallory,
        taskId: task.id,
        reminderId: crypto.randomUUID(),
        title: "Reminder: not yours",
        body: "Emailed to you",
      },
    ]);
    expect(await response.json()).toEqual({ created: 1, repeated: 0 });
    const { body: page } = await feed(mallory);
    expect(page.items[0]).toMatchObject({ taskId: null, reminderId: null });
  });

  test("refuses an empty or oversized batch, and calls that bypass the sidecar", async () => {
    const one = {
      deliveryId: `reminder-${crypto.randomUUID()}`,
      userId: newUser(),
      taskId: crypto.randomUUID(),
      reminderId: crypto.randomUUID(),
      title: "Reminder",
      body: "Emailed to you",
    };
    expect((await recordBatch([])).status).toBe(422);
    expect((await recordBatch(Array.from({ length: 101 }, () => one))).status).toBe(422);
    const direct = await api.request("POST", "/internal/notifications/batch", {
      body: { notifications: [one] },
    });
    expect(direct.status).toBe(403);
  });
});
