import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { STARTUP_TIMEOUT_MS, TEARDOWN_TIMEOUT_MS } from "@nudge/testing";
import { startTaskApi, type TaskApiFixture } from "./fixture.ts";

let api: TaskApiFixture;
beforeAll(async () => {
  api = await startTaskApi();
}, STARTUP_TIMEOUT_MS);
afterAll(() => api?.stop(), TEARDOWN_TIMEOUT_MS);

const user = () => `user-${crypto.randomUUID()}`;
const DUE = "2030-01-07T08:00:00Z";

/** Each rule is refused where it enters, with the part and the reason in the problem. */
const REFUSED: Array<[rule: string, reason: string]> = [
  ["FREQ=DAILY;BYHOUR=24", "hours are 0 to 23"],
  ["FREQ=HOURLY;BYHOUR=25", "hours are 0 to 23"],
  ["FREQ=DAILY;BYMINUTE=60", "minutes are 0 to 59"],
  ["FREQ=MINUTELY;BYMINUTE=61", "minutes are 0 to 59"],
  ["FREQ=DAILY;BYSECOND=61", "seconds are 0 to 60"],
  ["FREQ=DAILY;BYSECOND=60", "leap second"],
  ["FREQ=WEEKLY;BYDAY=2TU", "needs FREQ=MONTHLY or YEARLY"],
  ["FREQ=WEEKLY;BYMONTHDAY=15", "BYMONTHDAY cannot be used with FREQ=WEEKLY"],
  ["FREQ=DAILY;BYYEARDAY=100", "BYYEARDAY cannot be used with FREQ=DAILY"],
  ["FREQ=MONTHLY;BYYEARDAY=100", "BYYEARDAY cannot be used with FREQ=MONTHLY"],
  ["FREQ=MONTHLY;BYWEEKNO=20", "BYWEEKNO cannot be used with FREQ=MONTHLY"],
  ["FREQ=MONTHLY;BYMONTHDAY=0", "days of the month are 1 to 31"],
  ["FREQ=MONTHLY;BYMONTHDAY=32", "days of the month are 1 to 31"],
  ["FREQ=YEARLY;BYMONTH=13", "months are 1 to 12"],
  ["FREQ=YEARLY;BYWEEKNO=54", "week numbers are 1 to 53"],
  ["FREQ=YEARLY;BYYEARDAY=0", "days of the year are 1 to 366"],
  ["FREQ=YEARLY;BYYEARDAY=367", "days of the year are 1 to 366"],
  ["FREQ=MONTHLY;BYDAY=6MO", "at most 5 of each weekday"],
  ["FREQ=YEARLY;BYWEEKNO=1;BYDAY=1MO", "cannot be combined with BYWEEKNO"],
  ["FREQ=DAILY;BYSETPOS=1", "BYSETPOS needs another BYxxx"],
  ["FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "never happens"],
  ["FREQ=YEARLY;BYMONTH=4,6,9,11;BYMONTHDAY=31", "never happens"],
  ["FREQ=HOURLY;INTERVAL=24;BYHOUR=1", "never matches"],
  ["FREQ=MINUTELY;INTERVAL=1440;BYHOUR=1", "never matches"],
  ["FREQ=SECONDLY;INTERVAL=60;BYSECOND=30", "never matches"],
  ["FREQ=MINUTELY;INTERVAL=15;BYMINUTE=50", "reaches only every 15th"],
  [
    `FREQ=YEARLY;BYDAY=MO,TU,WE,TH,FR,SA,SU;BYHOUR=${Array.from({ length: 24 }, (_, h) => h)};BYMINUTE=${Array.from({ length: 60 }, (_, m) => m)}`,
    "recurrence budget",
  ],
  ["FREQ=YEARLY;INTERVAL=50", "never matches, or too rarely"],
  ["FREQ=MONTHLY;BYDAY=MO;BYMONTHDAY=1;BYMONTH=2;BYSETPOS=2", "never matches"],
  ["FREQ=DAILY;UNTIL=20300230", "not a calendar date"],
  ["FREQ=DAILY;UNTIL=2030-12-31", "expected a date"],
  ["yearly on feb 30", "never happens"],
];

const detailOf = (body: { detail?: string; errors?: Array<{ field: string; message: string }> }) =>
  `${body.detail ?? ""} ${body.errors?.map((e) => e.message).join(" ") ?? ""}`;

describe("rules that cannot run as RFC 5545 means them are refused where they enter", () => {
  test.each(REFUSED)("%p is refused on create, naming body.recurrence and why", async (rule, reason) => {
    const response = await api.request("POST", "/tasks", {
      user: user(),
      body: { title: "t", dueAt: DUE, timeZone: "Europe/Berlin", recurrence: rule },
    });
    expect(response.status).toBe(422);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(response.body.errors.map((e: { field: string }) => e.field)).toContain("body.recurrence");
    expect(detailOf(response.body)).toContain(reason);
  });

  test.each(REFUSED)("%p is refused by the preview, naming query.rule", async (rule, reason) => {
    const query = new URLSearchParams({ rule, tz: "Europe/Berlin", start: DUE });
    const response = await api.request("GET", `/recurrence/preview?${query}`, { user: user() });
    expect(response.status).toBe(422);
    expect(response.body.errors.map((e: { field: string }) => e.field)).toContain("query.rule");
    expect(detailOf(response.body)).toContain(reason);
  });

  test("a rule that stops matching from a new due date is refused on PATCH, and the task is unchanged", async () => {
    const owner = user();
    // Every 24 hours at 08:00 UTC matches hour 8 only while the start is at 08:xx.
    const created = await api.request("POST", "/tasks", {
      user: owner,
      body: { title: "t", dueAt: DUE, timeZone: "UTC", recurrence: "FREQ=HOURLY;INTERVAL=24;BYHOUR=8" },
    });
    expect(created.status).toBe(201);
    const moved = await api.request("PATCH", `/tasks/${created.body.id}`, {
      user: owner,
      body: { dueAt: "2030-01-07T09:00:00Z" },
    });
    expect(moved.status).toBe(422);
    expect(moved.body.errors.map((e: { field: string }) => e.field)).toContain("body.recurrence");
    expect((await api.request("GET", `/tasks/${created.body.id}`, { user: owner })).body.dueAt).toBe(
      "2030-01-07T08:00:00.000Z",
    );
  });
});

describe("UNTIL is stored so that it cannot be misread", () => {
  test("a date UNTIL is the end of that day in the task's zone, stored as UTC", async () => {
    const response = await api.request("POST", "/tasks", {
      user: user(),
      body: {
        title: "t",
        dueAt: "2026-12-28T01:00:00Z",
        timeZone: "America/New_York",
        recurrence: "FREQ=DAILY;UNTIL=20261231",
      },
    });
    expect(response.status).toBe(201);
    // 2026-12-31 23:59:59 EST is 2027-01-01 04:59:59Z.
    expect(response.body.recurrence).toBe("FREQ=DAILY;UNTIL=20270101T045959Z");
  });

  test("a floating UNTIL is read in the task's zone", async () => {
    const response = await api.request("POST", "/tasks", {
      user: user(),
      body: {
        title: "t",
        dueAt: "2026-12-28T01:00:00Z",
        timeZone: "Asia/Kolkata",
        recurrence: "FREQ=DAILY;UNTIL=20261231T200000",
      },
    });
    expect(response.body.recurrence).toBe("FREQ=DAILY;UNTIL=20261231T143000Z");
  });

  test('"until DATE" in a phrase keeps that whole day: 8pm in New York on the last day still fires', async () => {
    const query = new URLSearchParams({
      rule: "every day at 8pm until 2027-01-10",
      tz: "America/New_York",
      start: "2027-01-08T01:00:00Z",
    });
    const response = await api.request("GET", `/recurrence/preview?${query}`, { user: user() });
    expect(response.body.rule).toBe("FREQ=DAILY;UNTIL=20270111T045959Z;BYHOUR=20;BYMINUTE=0;BYSECOND=0");
    expect(response.body.occurrences).toEqual([
      "2027-01-08T01:00:00.000Z",
      "2027-01-09T01:00:00.000Z",
      "2027-01-10T01:00:00.000Z",
      "2027-01-11T01:00:00.000Z", // Jan 10, 20:00 EST
    ]);
  });
});

describe("the start is the first occurrence, whatever fold of a repeated hour it is in", () => {
  test.each([
    ["Europe/Berlin", "2026-10-25T01:30:00Z"],
    ["America/New_York", "2026-11-01T06:30:00Z"],
    ["Europe/Dublin", "2026-10-25T01:30:00Z"],
  ])("daily in %s from the second pass %s", async (tz, start) => {
    const query = new URLSearchParams({ rule: "FREQ=DAILY", tz, start, count: "2" });
    const response = await api.request("GET", `/recurrence/preview?${query}`, { user: user() });
    expect(response.body.occurrences[0]).toBe(new Date(start).toISOString());
    expect(Date.parse(response.body.occurrences[1])).toBe(Date.parse(start) + 86_400_000);
  });
});
