import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { type CloudEvent, publishEvent } from "@nudge/dapr";
import { repoRoot, STARTUP_TIMEOUT_MS, TEARDOWN_TIMEOUT_MS, waitFor } from "@nudge/testing";
import { replayDeadLetters } from "../../services/audit-service/src/dlq/store.ts";
import { startTaskApi, type TaskApiFixture } from "../task-api/fixture.ts";
import { type AuditFixture, OPERATOR_TOKEN, startAuditService } from "./fixture.ts";

let api: TaskApiFixture;
let audit: AuditFixture;
beforeAll(async () => {
  api = await startTaskApi();
  audit = await startAuditService(api);
}, STARTUP_TIMEOUT_MS * 4);
afterAll(async () => {
  await audit?.stop();
  await api?.stop();
}, TEARDOWN_TIMEOUT_MS);

/** `./nudge dlq …` as an operator runs it, against this run's audit-service. */
async function nudgeDlq(...args: string[]) {
  const run = Bun.spawn(["bun", join(repoRoot, "scripts", "dlq.ts"), ...args], {
    env: { ...process.env, AUDIT_URL: audit.baseUrl, OPERATOR_TOKEN },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [code, out, err] = await Promise.all([
    run.exited,
    new Response(run.stdout).text(),
    new Response(run.stderr).text(),
  ]);
  return { code, out, err };
}

const parked = (eventId: string) =>
  audit.sql<{ topic: string; reason: string; status: string; times_parked: number }[]>`
    select topic, reason, status, times_parked from dead_letters where event_id = ${eventId}`;

/** A task.updated event whose data lacks the task: it breaks the TaskEvent contract. */
function poisonEvent(): CloudEvent {
  return {
    specversion: "1.0",
    id: crypto.randomUUID(),
    type: "task.updated",
    source: "/tests",
    subject: crypto.randomUUID(),
    time: new Date().toISOString(),
    datacontenttype: "application/json",
    data: { schemaVersion: 2, changedFields: ["title"], version: 2 },
  };
}

describe("poison events", () => {
  const event = poisonEvent();

  test("an event that breaks its contract lands in dlq-events, recorded with its topic and reason", async () => {
    await publishEvent(api.sidecar, "task-events", event, { partitionKey: event.subject });
    const [record] = await waitFor("the poison event to be parked", async () => {
      const rows = await parked(event.id);
      return rows.length > 0 && rows;
    });
    expect(record?.topic).toBe("task-events");
    expect(record?.reason).toContain("invalid TaskEvent");
    expect(record?.reason).toContain("/data/task");
    // It blocked nothing: a later change on the topic is recorded.
    const owner = `user-${crypto.randomUUID()}`;
    const created = await api.request("POST", "/tasks", { user: owner, body: { title: "after the poison" } });
    await waitFor(
      "the next event to reach the history",
      async () => (await audit.historyRows(created.body.id)) === 1,
    );
  });

  test("nudge dlq list shows it with its original topic and reason", async () => {
    const listed = await nudgeDlq("list");
    expect(listed.code).toBe(0);
    const line = listed.out.split("\n").findIndex((l) => l.startsWith(event.id));
    expect(line).toBeGreaterThanOrEqual(0);
    expect(listed.out.split("\n")[line]).toContain("task-events  task.updated  parked  ×1");
    expect(listed.out.split("\n")[line + 1]).toContain("reason: invalid TaskEvent");
  });

  test("replaying the same record twice at once publishes it once", async () => {
    // A sidecar stand-in that counts publishes and answers slowly, so both replays overlap.
    const published: string[] = [];
    const slowSidecar = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: async (request) => {
        published.push(((await request.json()) as { id: string }).id);
        await Bun.sleep(200);
        return new Response(null, { status: 204 });
      },
    });
    const id = crypto.randomUUID();
    await audit.sql`
      insert into dead_letters (topic, event_id, type, reason, event)
      values ('task-events', ${id}, 'task.updated', 'test', ${audit.sql.json({ id } as never)})`;
    try {
      const sidecar = { httpUrl: `http://127.0.0.1:${slowSidecar.port}`, grpcPort: 0 };
      const runs = await Promise.all([
        replayDeadLetters(audit.sql, sidecar, { eventId: id }),
        replayDeadLetters(audit.sql, sidecar, { eventId: id }),
      ]);
      expect(runs.flat()).toEqual([id]);
      expect(published).toEqual([id]);
    } finally {
      slowSidecar.stop(true);
      await audit.sql`delete from dead_letters where event_id = ${id}`;
    }
  });

  test("nudge dlq replay puts it back on its topic", async () => {
    const replayed = await nudgeDlq("replay", event.id);
    // Back on task-events it is still poison: audit-service reads it there again and it is
    // parked a second time — proof it travelled through its original topic.
    expect(replayed.out).toContain(`replayed 1: ${event.id}`);
    await waitFor("the replayed event to be parked again", async () => {
      const [row] = await parked(event.id);
      return row?.status === "parked" && row.times_parked === 2;
    });
  });

  test("nudge dlq purge --replayed forgets only replayed records, and purge forgets the rest", async () => {
    // Rows of their own: the poison event above may still be in flight on dlq-events (delivery is
    // at least once), so it could be parked again at any moment and is no measure of a purge.
    const [waiting, done] = [crypto.randomUUID(), crypto.randomUUID()];
    for (const [id, status] of [
      [waiting, "parked"],
      [done, "replayed"],
    ] as const) {
      await audit.sql`
        insert into dead_letters (topic, event_id, type, reason, event, status)
        values ('task-events', ${id}, 'task.updated', 'test', ${audit.sql.json({ id } as never)}, ${status})`;
    }
    const replayedOnly = await nudgeDlq("purge", "--replayed");
    expect(replayedOnly.out).toMatch(/purged [1-9]\d*/);
    expect(await parked(done)).toHaveLength(0);
    expect(await parked(waiting)).toHaveLength(1);
    const all = await nudgeDlq("purge");
    expect(all.out).toMatch(/purged [1-9]\d*/);
    expect(await parked(waiting)).toHaveLength(0);
  });

  test("a wrong command prints the usage, and a wrong token is refused", async () => {
    expect((await nudgeDlq("explode")).code).toBe(2);
    const refused = await fetch(`${audit.baseUrl}/operator/dead-letters`, {
      headers: { authorization: "Bearer not-the-operator-token" },
    });
    expect(refused.status).toBe(401);
  });
});
