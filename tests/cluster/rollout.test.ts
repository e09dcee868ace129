import { describe, expect, test } from "bun:test";
import { waitFor } from "@nudge/testing";
import { kubectl, newUser, podsOf } from "./cluster.ts";
import { activityOf } from "./judges.ts";

describe("a rolling restart of task-api", () => {
  test("loses no acknowledged write, and every acknowledged write is published", async () => {
    const dave = await newUser("rollout");
    const before = (await podsOf("task-api")).map((p) => p.metadata.name);
    const acknowledged: string[] = [];
    const refused: string[] = [];
    let writing = true;

    // Four writers, one request each at a time, for as long as the rollout lasts.
    const writer = async (n: number) => {
      for (let i = 0; writing; i++) {
        try {
          const created = await dave.api("POST", "/tasks", { title: `write ${n}.${i}` });
          if (created.status === 201) acknowledged.push(created.body.id);
          else refused.push(`${created.status} ${JSON.stringify(created.body)}`);
        } catch (error) {
          refused.push(String(error));
        }
      }
    };
    const writers = [0, 1, 2, 3].map(writer);
    await Bun.sleep(2000);
    await kubectl(["-n", "nudge", "rollout", "restart", "deployment/task-api"]);
    await kubectl(["-n", "nudge", "rollout", "status", "deployment/task-api", "--timeout=240s"]);
    await Bun.sleep(2000);
    writing = false;
    await Promise.all(writers);

    // Old pods may still be terminating (preStop, graceful shutdown); none is serving.
    const after = (await podsOf("task-api"))
      .filter((p) => !p.metadata.deletionTimestamp)
      .map((p) => p.metadata.name);
    expect(after.some((name) => before.includes(name))).toBe(false);
    console.log(`rollout: ${acknowledged.length} writes acknowledged, ${refused.length} refused`);
    expect(acknowledged.length).toBeGreaterThan(20);
    // maxUnavailable 0, readiness, the preStop pause: the Service never sends a request to a
    // pod that is going away, so nothing is refused either.
    expect(refused).toEqual([]);

    for (const id of acknowledged) {
      expect((await dave.api("GET", `/tasks/${id}`)).status).toBe(200);
    }
    // Published: each one's task.created reaches audit-service through the outbox and Kafka.
    await waitFor(
      "every acknowledged write in the history",
      async () => {
        const created = new Set((await activityOf(dave, "task.created")).map((e) => e.taskId));
        return acknowledged.every((id) => created.has(id));
      },
      { timeoutMs: 90_000, intervalMs: 1000 },
    );
  }, 400_000);
});
