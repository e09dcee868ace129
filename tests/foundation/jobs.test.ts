import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { jobsClient } from "@nudge/dapr";
import { STARTUP_TIMEOUT_MS, TEARDOWN_TIMEOUT_MS, waitFor } from "@nudge/testing";
import { startSmoke } from "../smoke/start.ts";

let smoke: Awaited<ReturnType<typeof startSmoke>>;
beforeAll(async () => {
  smoke = await startSmoke("smoke-jobs");
}, STARTUP_TIMEOUT_MS);
afterAll(() => smoke?.stop(), TEARDOWN_TIMEOUT_MS);

describe("Dapr Jobs through the real scheduler", () => {
  test("a job due in 2 s triggers the app no earlier than due and within 1 s after", async () => {
    const jobs = jobsClient(smoke.sidecar);
    const name = `smoke-${crypto.randomUUID()}`;
    const due = new Date(Math.ceil((Date.now() + 2000) / 1000) * 1000);
    await jobs.schedule(name, { dueTime: due.toISOString(), data: { reminderId: "r-1" } });

    const trigger = await waitFor("the job trigger", () => smoke.triggers.find((t) => t.name === name), {
      timeoutMs: 10_000,
      intervalMs: 20,
    });

    expect(trigger.at).toBeGreaterThanOrEqual(due.getTime());
    expect(trigger.at - due.getTime()).toBeLessThanOrEqual(1000);
    expect(trigger.data).toMatchObject({ reminderId: "r-1" });
  }, 30_000);

  test("a deleted job never triggers and reads back as absent", async () => {
    const jobs = jobsClient(smoke.sidecar);
    const name = `smoke-${crypto.randomUUID()}`;
    const kept = `smoke-${crypto.randomUUID()}`;
    const due = new Date(Date.now() + 1500).toISOString();
    await jobs.schedule(name, { dueTime: due, data: {} });
    await jobs.schedule(kept, { dueTime: due, data: {} });
    expect(await jobs.get(name)).toMatchObject({ name });

    await jobs.delete(name);
    await jobs.delete(name); // cancelling twice is harmless

    expect(await jobs.get(name)).toBeUndefined();
    await waitFor("the job that was kept", () => smoke.triggers.some((t) => t.name === kept), {
      timeoutMs: 10_000,
    });
    expect(smoke.triggers.some((t) => t.name === name)).toBe(false);
  }, 30_000);
});
