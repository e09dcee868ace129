import { describe, expect, test } from "bun:test";
import { type ActivityScript, runInMemory, seededRandom } from "@nudge/dapr/testing";
import type { BucketInput } from "../bucket-input.ts";
import type { DeliveryActivities } from "./activities.ts";
import { bucketDelivery } from "./workflow.ts";

const activities = { claimPage() {}, deliverChunk() {}, failChunk() {} } as unknown as DeliveryActivities;
const input: BucketInput = {
  bucket: 1,
  shard: 0,
  generation: 0,
  claimPage: 3,
  chunkSize: 2,
  chunkSpanMs: 500,
  chunkGapMs: 50,
  parallelChunks: 2,
  maxAttempts: 3,
  firstRetryMs: 200,
};
const done = { value: { outcome: "done", sent: 2, notified: 0, skipped: 0, failed: 0 } };

/** Pages of `claimPage` occurrences in `chunks[page]` chunks; the last page is short. */
const claims =
  (chunks: number[]): ActivityScript =>
  (name, activityInput, attempt) => {
    if (name !== "claimPage") throw new Error(`unexpected ${name} (attempt ${attempt})`);
    const last = activityInput.page === chunks.length - 1;
    return {
      value: { claimed: last ? input.claimPage - 1 : input.claimPage, chunks: chunks[activityInput.page] },
    };
  };

describe("a bucket's delivery workflow", () => {
  test("every chunk of every page is delivered once, earliest first, and counted", async () => {
    const claim = claims([2, 3]);
    const run = await runInMemory(
      bucketDelivery(activities),
      input,
      (name, i, attempt) => (name === "deliverChunk" ? done : claim(name, i, attempt)),
      1,
    );
    const chunks = run.actions
      .filter((a) => a.startsWith("deliverChunk"))
      .map((a) => JSON.parse(a.slice(13)).chunk);
    expect(chunks).toEqual([0, 1, 2, 3, 4]);
    expect(run.mostInFlight.get("deliverChunk")).toBe(2);
    expect(run.output).toEqual({ claimed: 5, chunks: 5, sent: 10, notified: 0, skipped: 0, failed: 0 });
  });

  test("a claim that fails is tried again until it succeeds", async () => {
    const claim = claims([1]);
    const run = await runInMemory(
      bucketDelivery(activities),
      { ...input, maxAttempts: 1 },
      (name, i, attempt) =>
        name === "claimPage" && attempt <= 4
          ? { error: "database down" }
          : name === "deliverChunk"
            ? done
            : claim(name, i, attempt),
      1,
    );
    expect(run.actions.filter((a) => a.startsWith("claimPage"))).toHaveLength(5);
    expect(run.output.sent).toBe(2);
  });

  test("a chunk asked to wait waits at least the provider's Retry-After, and the next chunk goes meanwhile", async () => {
    const claim = claims([2]);
    const run = await runInMemory(
      bucketDelivery(activities),
      { ...input, parallelChunks: 1 },
      (name, i, attempt) =>
        name === "deliverChunk"
          ? i.chunk === 0 && attempt === 1
            ? { value: { outcome: "retry", reason: "429", retryAfterMs: 5000 } }
            : done
          : claim(name, i, attempt),
      1,
    );
    expect(run.actions.slice(1).map((a) => a.replace(/ \{.*"chunk":(\d+)\}/, " $1"))).toEqual([
      "deliverChunk 0",
      "timer +5000",
      "deliverChunk 1",
      "deliverChunk 0",
    ]);
    expect(run.output.sent).toBe(4);
  });

  test("a chunk out of attempts has its occurrences failed with the last reason, the record tried until it lands", async () => {
    const claim = claims([1]);
    const run = await runInMemory(
      bucketDelivery(activities),
      input,
      (name, i, attempt) =>
        name === "deliverChunk"
          ? attempt < 3
            ? { error: "sidecar down" }
            : { value: { outcome: "retry", reason: "503 from the provider" } }
          : name === "failChunk"
            ? attempt === 1
              ? { error: "database down" }
              : { value: 2 }
            : claim(name, i, attempt),
      1,
    );
    expect(run.actions.filter((a) => a.startsWith("deliverChunk"))).toHaveLength(3);
    const fails = run.actions.filter((a) => a.startsWith("failChunk"));
    expect(fails).toHaveLength(2);
    expect(fails[1]).toContain('"reason":"503 from the provider"');
    expect(run.output.failed).toBe(2);
  });

  // Random buckets and failures from a printed seed (NUDGE_TEST_SEED=<seed> reproduces one).
  const seed = Number(process.env.NUDGE_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));
  test(`whatever fails, each chunk ends once: sent within its attempts, or failed after the last (seed ${seed})`, async () => {
    for (let run = 0; run < 200; run++) {
      const random = seededRandom(seed + run);
      const pages = Array.from({ length: 1 + Math.floor(random() * 3) }, () => Math.floor(random() * 4));
      const settings = {
        ...input,
        parallelChunks: 1 + Math.floor(random() * 3),
        maxAttempts: 1 + Math.floor(random() * 3),
      };
      const claim = claims(pages);
      const answers = new Map<string, unknown>();
      const answer = (key: string, make: () => unknown) =>
        answers.get(key) ?? answers.set(key, make()).get(key);
      const result = await runInMemory(
        bucketDelivery(activities),
        settings,
        (name, i, attempt) =>
          answer(`${name} ${JSON.stringify(i)} ${attempt}`, () => {
            const x = random();
            if (x < 0.15) return { error: "down" };
            if (name === "claimPage") return claim(name, i, attempt);
            if (name === "failChunk") return { value: 2 };
            return x < 0.35 ? { value: { outcome: "retry", reason: "429", retryAfterMs: 1000 } } : done;
          }) as never,
        seed + run,
      );
      const total = pages.reduce((a, b) => a + b, 0);
      const tries = (name: string, chunk: number) =>
        result.actions.filter(
          (a) => a.startsWith(name) && JSON.parse(a.slice(a.indexOf("{"))).chunk === chunk,
        ).length;
      for (let chunk = 0; chunk < total; chunk++) {
        expect(tries("deliverChunk", chunk)).toBeLessThanOrEqual(settings.maxAttempts);
        if (tries("failChunk", chunk) > 0) expect(tries("deliverChunk", chunk)).toBe(settings.maxAttempts);
      }
      expect(result.output.chunks).toBe(total);
      expect(result.output.sent + result.output.failed).toBe(2 * total);
    }
  });
});
