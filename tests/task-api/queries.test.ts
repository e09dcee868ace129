import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { STARTUP_TIMEOUT_MS, TEARDOWN_TIMEOUT_MS } from "@nudge/testing";
import { startTaskApi, type TaskApiFixture } from "./fixture.ts";

let api: TaskApiFixture;
const user = `user-${crypto.randomUUID()}`;
const ids: Record<string, string> = {};
const hour = 3600_000;
const iso = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();

beforeAll(async () => {
  api = await startTaskApi();
  const seed: Array<[string, Record<string, unknown>]> = [
    [
      "report",
      {
        title: "Quarterly report",
        description: "report numbers for the board",
        priority: "high",
        tags: ["work"],
        dueAt: iso(2 * hour),
      },
    ],
    [
      "reporter",
      { title: "Call the reporter", priority: "low", tags: ["work", "press"], dueAt: iso(-2 * hour) },
    ],
    [
      "groceries",
      { title: "Groceries", description: "milk, report card for school", priority: "medium", tags: ["home"] },
    ],
    [
      "gym",
      {
        title: "Gym",
        priority: "urgent",
        tags: ["home", "health"],
        dueAt: iso(48 * hour),
        recurrence: "FREQ=WEEKLY;BYDAY=MO",
      },
    ],
    ["taxes", { title: "taxes", priority: "none", dueAt: iso(-48 * hour) }],
  ];
  for (const [key, body] of seed) {
    ids[key] = (await api.request("POST", "/tasks", { user, body })).body.id;
  }
  await api.request("POST", `/tasks/${ids.taxes}/complete`, { user });
  await api.sql`insert into reminders (id, task_id, user_id, before) values (${crypto.randomUUID()}, ${ids.gym as string}, ${user}, interval '15 minutes')`;
}, STARTUP_TIMEOUT_MS);
afterAll(() => api?.stop(), TEARDOWN_TIMEOUT_MS);

async function titles(query: string) {
  const response = await api.request("GET", `/tasks?${query}`, { user });
  expect(response.status).toBe(200);
  return response.body.items.map(
    (t: { id: string }) => Object.entries(ids).find(([, id]) => id === t.id)?.[0],
  );
}

describe("full-text search", () => {
  test("matches word prefixes in title and description; more and title matches rank higher", async () => {
    expect(await titles("q=report")).toEqual(["report", "reporter", "groceries"]);
  });

  test("every word must match", async () => {
    expect(await titles("q=report%20board")).toEqual(["report"]);
  });
});

describe("filters", () => {
  test.each([
    ["status=completed", ["taxes"]],
    ["status=open&sort=title", ["reporter", "groceries", "gym", "report"]],
    ["priorityAtLeast=high&sort=priority", ["gym", "report"]],
    ["tags=work&sort=title", ["reporter", "report"]],
    ["tags=press,health&sort=title", ["reporter", "gym"]],
    ["tags=home,health&tagMatch=all", ["gym"]],
    ["tags=WORK,press&tagMatch=all", ["reporter"]],
    ["overdue=true", ["reporter"]],
    ["dueBefore=" + encodeURIComponent(iso(0)) + "&sort=due", ["taxes", "reporter"]],
    ["dueAfter=" + encodeURIComponent(iso(hour)) + "&sort=due", ["report", "gym"]],
    ["hasReminders=true", ["gym"]],
    ["recurring=true", ["gym"]],
    ["recurring=false&hasReminders=false&status=open&sort=title", ["reporter", "groceries", "report"]],
  ])("%s", async (query, expected) => {
    expect(await titles(query)).toEqual(expected);
  });

  test("due today follows the user's own time zone", async () => {
    // Pacific/Kiritimati is UTC+14: its "today" straddles two UTC days.
    const islander = `user-${crypto.randomUUID()}`;
    const zone = "Pacific/Kiritimati";
    await api.request("PATCH", "/me/preferences", { user: islander, body: { timeZone: zone } });
    const localDate = new Intl.DateTimeFormat("en-CA", { timeZone: zone }).format(new Date());
    const dayAfter = new Intl.DateTimeFormat("en-CA", { timeZone: zone }).format(
      new Date(Date.now() + 24 * hour),
    );
    const create = async (title: string, dueAt: string) =>
      (await api.request("POST", "/tasks", { user: islander, body: { title, dueAt } })).body.id as string;
    const earlyToday = await create(
      "Early today there",
      new Date(`${localDate}T00:30:00+14:00`).toISOString(),
    );
    const lateToday = await create("Late today there", new Date(`${localDate}T23:30:00+14:00`).toISOString());
    const tomorrow = await create("Tomorrow there", new Date(`${dayAfter}T00:30:00+14:00`).toISOString());
    const { body } = await api.request("GET", "/tasks?dueToday=true&sort=due", { user: islander });
    expect(body.items.map((t: { id: string }) => t.id)).toEqual([earlyToday, lateToday]);
    const notToday = await api.request("GET", "/tasks?dueToday=false", { user: islander });
    expect(notToday.body.items.map((t: { id: string }) => t.id)).toEqual([tomorrow]);
  });
});

describe("sorting", () => {
  test.each([
    ["sort=due", ["taxes", "reporter", "report", "gym", "groceries"]],
    ["sort=due&order=desc", ["gym", "report", "reporter", "taxes", "groceries"]],
    ["sort=priority", ["gym", "report", "groceries", "reporter", "taxes"]],
    ["sort=priority&order=asc", ["taxes", "reporter", "groceries", "report", "gym"]],
    ["sort=title", ["reporter", "groceries", "gym", "report", "taxes"]],
    ["sort=created&order=asc", ["report", "reporter", "groceries", "gym", "taxes"]],
    ["sort=updated", ["taxes", "gym", "groceries", "reporter", "report"]],
  ])("%s (tasks without a due date last)", async (query, expected) => {
    expect(await titles(query)).toEqual(expected);
  });
});

describe("cursor pagination", () => {
  test("walks every row once, in order, while new rows are being inserted", async () => {
    const pager = `pager-${crypto.randomUUID()}`;
    const initial: string[] = [];
    for (let i = 0; i < 45; i++) {
      const { body } = await api.request("POST", "/tasks", {
        user: pager,
        body: { title: `Task ${String(i).padStart(2, "0")}` },
      });
      initial.push(body.id);
    }
    for (const sort of ["created", "title", "due", "priority", "updated"]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let inserted = 0;
      do {
        const query = `sort=${sort}&limit=7${cursor ? `&cursor=${cursor}` : ""}`;
        const page = await api.request("GET", `/tasks?${query}`, { user: pager });
        expect(page.status).toBe(200);
        seen.push(...page.body.items.map((t: { id: string }) => t.id));
        cursor = page.body.nextCursor;
        // Concurrent writers: a new task lands between every two pages.
        await api.request("POST", "/tasks", {
          user: pager,
          body: { title: `Inserted ${sort} ${inserted++}` },
        });
      } while (cursor);
      expect(new Set(seen).size).toBe(seen.length); // nothing repeated
      for (const id of initial) expect(seen).toContain(id); // nothing that existed was skipped
    }
  }, 60_000);

  test("a cursor only works with the sort it was issued for", async () => {
    const { body } = await api.request("GET", "/tasks?sort=title&limit=1", { user });
    const response = await api.request("GET", `/tasks?sort=due&limit=1&cursor=${body.nextCursor}`, { user });
    expect(response.status).toBe(400);
    expect(response.body.errors[0].field).toBe("query.cursor");
  });
});
