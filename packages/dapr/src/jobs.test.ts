import { describe, expect, test } from "bun:test";
import { jobsClient } from "./jobs.ts";

// A sidecar address nothing listens on: these cases must fail before any request is made.
const jobs = jobsClient({ httpUrl: "http://127.0.0.1:9", grpcPort: 9 });

describe("the jobs client refuses bad requests before calling the sidecar", () => {
  test.each(["", "../escape", "has space", "a/b", "x".repeat(201)])(
    "job name %p is rejected",
    async (name) => {
      await expect(jobs.schedule(name, { dueTime: "1s" })).rejects.toThrow(RangeError);
    },
  );

  test("a job without a due time or a schedule is rejected", async () => {
    await expect(jobs.schedule("reminder-1", {})).rejects.toThrow(/dueTime or a schedule/);
  });
});
