import { describe, expect, test } from "bun:test";
import { waitFor } from "@nudge/testing";
import { kubectl, newUser, podsOf, rolledOut } from "./cluster.ts";
import { activityOf, emailedOnce, taskWithReminderIn } from "./judges.ts";

describe("inside the cluster, through the Services and the sidecars", () => {
  test("a reminder set a few seconds ahead is emailed once through the in-cluster capture inbox", async () => {
    const alice = await newUser("reminder");
    await taskWithReminderIn(alice, "Water the plants", 8);

    const { first, all } = await emailedOnce(alice.email);

    expect(first?.subject).toContain("Water the plants");
    expect(all).toHaveLength(1);
  }, 150_000);

  test("completing a recurring task creates its next occurrence once, and the history shows both", async () => {
    const bob = await newUser("series");
    // Whole seconds: RRULE instants have no milliseconds.
    const dueAt = new Date(Math.ceil(Date.now() / 1000) * 1000 + 86_400_000).toISOString();
    const created = await bob.api("POST", "/tasks", {
      title: "Stand-up notes",
      dueAt,
      recurrence: "FREQ=DAILY",
    });
    expect(created.status).toBe(201);
    const first = created.body;

    expect((await bob.api("POST", `/tasks/${first.id}/complete`)).status).toBe(200);

    const next = await waitFor(
      "the next occurrence in the task list",
      async () => {
        const list = await bob.api("GET", "/tasks?recurring=true&limit=50");
        return list.body.items.find((t: { id: string }) => t.id !== first.id);
      },
      { timeoutMs: 90_000, intervalMs: 500 },
    );
    expect(next.series.id).toBe(first.series.id);
    expect(next.series.occurrenceIndex).toBe(first.series.occurrenceIndex + 1);
    expect(Date.parse(next.dueAt) - Date.parse(first.dueAt)).toBe(86_400_000);

    // Both changes reach the history through task-events; and a redelivered completion must
    // not create a second occurrence while we wait for them.
    const activity = await waitFor(
      "the completion and the new occurrence in the history",
      async () => {
        const entries = await activityOf(bob);
        const completed = entries.some((e) => e.type === "task.completed" && e.taskId === first.id);
        const createdNext = entries.some((e) => e.type === "task.created" && e.taskId === next.id);
        return completed && createdNext ? entries : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(activity.filter((e) => e.type === "task.recurring.next_created")).toHaveLength(1);
    const list = await bob.api("GET", "/tasks?recurring=true&limit=50");
    expect(list.body.items).toHaveLength(2);
  }, 180_000);

  test("a reminder due while every notification-service pod is deleted still arrives, once", async () => {
    const carol = await newUser("pods-deleted");
    const before = (await podsOf("notification-service")).map((p) => p.metadata.name);
    expect(before.length).toBeGreaterThan(0);
    const { at } = await taskWithReminderIn(carol, "Call the plumber", 12);

    // Every replica goes as the reminder falls due, so whichever one holds its job trigger,
    // workflow or email dies with it; only their replacements can deliver it.
    await Bun.sleep(Math.max(0, Date.parse(at) - Date.now() - 500));
    await kubectl(["-n", "nudge", "delete", "pod", ...before, "--wait=false"]);

    const { first, all } = await emailedOnce(carol.email, { withinMs: 180_000, quietMs: 20_000 });
    expect(first?.subject).toContain("Call the plumber");
    expect(all).toHaveLength(1);
    await rolledOut(["notification-service"]);
    const after = (await podsOf("notification-service")).map((p) => p.metadata.name);
    for (const name of before) expect(after).not.toContain(name);
  }, 300_000);
});
