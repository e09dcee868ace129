import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { jobsClient } from "@nudge/dapr";
import { STARTUP_TIMEOUT_MS, TEARDOWN_TIMEOUT_MS } from "@nudge/testing";
import { RETENTION_JOB } from "../../services/audit-service/src/retention/job.ts";
import { APP_API_TOKEN, startTaskApi, type TaskApiFixture } from "../task-api/fixture.ts";
import { type AuditFixture, startAuditService } from "./fixture.ts";

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

const DAY = 86_400_000;

/** History rows as old as `ageDays`, for one task of its own. */
async function seedRows(taskId: string, ageDays: number[]) {
  for (const age of ageDays) {
    const id = crypto.randomUUID();
    await audit.sql`
      insert into audit_events (event_id, type, task_id, user_id, actor, occurred_at, changes, event)
      values (${id}, 'task.updated', ${taskId}, 'retention-user', 'retention-user',
              ${new Date(Date.now() - age * DAY)}, '[]', '{}')`;
  }
}

describe("retention", () => {
  test("is a daily Dapr cron job of audit-service", async () => {
    const job = await jobsClient(audit.sidecar).get(RETENTION_JOB);
    expect(job?.schedule).toBe("@daily");
  });

  test("deletes only the history older than the cutoff (90 days by default)", async () => {
    const taskId = crypto.randomUUID();
    await seedRows(taskId, [400, 120, 91, 89, 30, 0]);
    // What the scheduler sends when the job fires.
    const fired = await fetch(`${audit.baseUrl}/job/${RETENTION_JOB}`, {
      method: "POST",
      headers: { "dapr-api-token": APP_API_TOKEN },
    });
    expect(fired.status).toBe(200);
    const ages = await audit.sql<{ days: number }[]>`
      select round(extract(epoch from now() - occurred_at) / 86400)::int as days
      from audit_events where task_id = ${taskId} order by occurred_at`;
    expect(ages.map((row) => row.days)).toEqual([89, 30, 0]);
  });

  test("a trigger that did not come through the sidecar is refused", async () => {
    const fired = await fetch(`${audit.baseUrl}/job/${RETENTION_JOB}`, { method: "POST" });
    expect(fired.status).toBe(403);
  });
});
