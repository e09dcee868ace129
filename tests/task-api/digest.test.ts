/**
 * task-api's side of the daily digest (internal routes notification-service invokes): who is
 * due, the claim that moves each user on exactly once, and what a digest lists.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { STARTUP_TIMEOUT_MS, TEARDOWN_TIMEOUT_MS } from "@nudge/testing";
import { APP_API_TOKEN, startTaskApi, type TaskApiFixture } from "./fixture.ts";
import { post } from "./pages.ts";

let api: TaskApiFixture;
beforeAll(async () => {
  api = await startTaskApi();
}, STARTUP_TIMEOUT_MS);
afterAll(() => api?.stop(), TEARDOWN_TIMEOUT_MS);

const internal = (path: string, body: unknown) =>
  api.request("POST", `/internal/digests/${path}`, { body, headers: { "dapr-api-token": APP_API_TOKEN } });

async function digestUser(zone: string, localTime: string, enabled = true) {
  const user = `user-${crypto.randomUUID()}`;
  const { body } = await api.request("PATCH", "/me/preferences", {
    user,
    body: { email: `${user}@example.com`, timeZone: zone, digest: { enabled, localTime } },
  });
  return { user, nextAt: body.digest.nextAt as string | null };
}

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

describe("which digests are due", () => {
  test("users whose digest instant has come, with their local day; never the digest's off", async () => {
    const berlin = await digestUser("Europe/Berlin", "08:00");
    const tokyo = await digestUser("Asia/Tokyo", "21:45");
    const off = await digestUser("Europe/Berlin", "08:00", false);
    expect(off.nextAt).toBeNull();
    const { status, body } = await internal("due", { before: inDays(2), limit: 1000 });
    expect(status).toBe(200);
    const mine = body.items.filter((i: { userId: string }) =>
      [berlin.user, tokyo.user, off.user].includes(i.userId),
    );
    expect(mine.map((i: { userId: string }) => i.userId).sort()).toEqual([berlin.user, tokyo.user].sort());
    for (const item of mine) {
      const zone = item.userId === berlin.user ? "Europe/Berlin" : "Asia/Tokyo";
      expect(item.day).toBe(new Intl.DateTimeFormat("en-CA", { timeZone: zone }).format(new Date(item.at)));
    }
    const early = await internal("due", { before: new Date(Date.now() - 1000).toISOString(), limit: 1000 });
    expect(early.body.items.some((i: { userId: string }) => i.userId === berlin.user)).toBe(false);
  });

  test("a claim moves the user to a later local day once; repeating it moves nothing", async () => {
    const { user, nextAt } = await digestUser("America/New_York", "07:00");
    const due = (await internal("due", { before: inDays(2), limit: 1000 })).body.items.find(
      (i: { userId: string }) => i.userId === user,
    );
    expect(due.at).toBe(nextAt);
    expect((await internal("claimed", { items: [{ userId: user, day: due.day }] })).body).toEqual({
      advanced: 1,
    });
    expect((await internal("claimed", { items: [{ userId: user, day: due.day }] })).body).toEqual({
      advanced: 0,
    });
    const after = (await api.request("GET", "/me/preferences", { user })).body.digest;
    expect(new Date(after.nextAt).getTime()).toBeGreaterThan(new Date(due.at).getTime());
    // The day was claimed: moving the time to later today does not bring it back.
    await api.request("PATCH", "/me/preferences", { user, body: { digest: { localTime: "23:59" } } });
    const again = (await internal("due", { before: inDays(3), limit: 1000 })).body.items.find(
      (i: { userId: string }) => i.userId === user,
    );
    expect(again.day > due.day).toBe(true);
  });

  test("bad internal calls are refused naming the field; without the sidecar's token, 403", async () => {
    expect((await internal("due", { before: "tomorrow", limit: 10 })).status).toBe(422);
    expect((await internal("due", { before: inDays(1), limit: 100_000 })).status).toBe(422);
    expect((await internal("claimed", { items: [] })).status).toBe(422);
    expect((await internal("claimed", { items: [{ userId: "u", day: "2030-1-1" }] })).status).toBe(422);
    const anonymous = await api.request("POST", "/internal/digests/due", {
      body: { before: inDays(1), limit: 1 },
    });
    expect(anonymous.status).toBe(403);
  });
});

describe("what a digest lists", () => {
  test("open tasks overdue at its instant or due later that local day; the rest is not listed", async () => {
    const { user } = await digestUser("Europe/Berlin", "08:00");
    const day = "2030-07-01"; // 08:00 in Berlin is 06:00Z
    const create = async (title: string, dueAt?: string) =>
      (await api.request("POST", "/tasks", { user, body: { title, ...(dueAt ? { dueAt } : {}) } })).body;
    const overdue = await create("Overdue since yesterday", "2030-06-30T10:00:00Z");
    const later = await create("Later today", "2030-07-01T20:00:00Z");
    const lastMinute = await create("Last minute of the day", "2030-07-01T21:59:00Z");
    await create("Tomorrow", "2030-07-01T22:00:00Z");
    await create("Someday");
    const completed = await create("Done already", "2030-07-01T09:00:00Z");
    await api.request("POST", `/tasks/${completed.id}/complete`, { user });
    const other = `user-${crypto.randomUUID()}`;
    await api.request("POST", "/tasks", {
      user: other,
      body: { title: "Not yours", dueAt: "2030-07-01T09:00:00Z" },
    });

    const { status, body } = await internal("contents", { items: [{ userId: user, day }] });
    expect(status).toBe(200);
    const [digest] = body.items;
    expect(digest).toMatchObject({
      userId: user,
      day,
      at: "2030-07-01T06:00:00.000Z",
      recipient: { email: `${user}@example.com`, timeZone: "Europe/Berlin", digestEnabled: true },
      counts: { overdue: 1, dueToday: 2 },
    });
    expect(digest.tasks.map((t: { id: string }) => t.id)).toEqual([overdue.id, later.id, lastMinute.id]);
    expect(digest.tasks.map((t: { overdue: boolean }) => t.overdue)).toEqual([true, false, false]);
    // Rendering it twice gives the same links (idempotent sends).
    const again = (await internal("contents", { items: [{ userId: user, day }] })).body.items[0];
    expect(again).toEqual(digest);
    // Its links act: Mark done on the overdue task completes it.
    expect((await post(digest.tasks[0].links.done)).outcome).toBe("done");
    expect((await api.request("GET", `/tasks/${overdue.id}`, { user })).body.status).toBe("completed");
  });

  test("at most 25 tasks are listed; the counts cover them all; many users are answered in one call", async () => {
    const users = await Promise.all(Array.from({ length: 5 }, () => digestUser("UTC", "08:00")));
    const [busy] = users;
    for (let i = 0; i < 30; i++) {
      await api.request("POST", "/tasks", {
        user: busy?.user,
        body: {
          title: `Task ${i}`,
          dueAt: `2030-07-01T${String(9 + Math.floor(i / 4)).padStart(2, "0")}:${String((i % 4) * 15).padStart(2, "0")}:00Z`,
        },
      });
    }
    const { body } = await internal("contents", {
      items: users.map((u) => ({ userId: u.user, day: "2030-07-01" })),
    });
    expect(body.items).toHaveLength(5);
    expect(body.items[0].tasks).toHaveLength(25);
    expect(body.items[0].counts).toEqual({ overdue: 0, dueToday: 30 });
    for (const quiet of body.items.slice(1))
      expect(quiet).toMatchObject({ tasks: [], counts: { overdue: 0, dueToday: 0 } });
  });
});
