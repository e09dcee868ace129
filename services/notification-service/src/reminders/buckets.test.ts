import { describe, expect, test } from "bun:test";
import {
  bucketJobName,
  bucketOf,
  deliveryIdFor,
  fireTimeOf,
  parseBucketJobName,
  shardOf,
} from "./buckets.ts";

describe("due buckets", () => {
  test("an instant falls in the bucket that starts at or before it", () => {
    expect(bucketOf(1_900_000_000_999, 1000)).toBe(1_900_000_000_000);
    expect(bucketOf(1_900_000_001_000, 1000)).toBe(1_900_000_001_000);
    expect(bucketOf(1_900_000_000_250, 250)).toBe(1_900_000_000_250);
  });

  test("reminders spread over the shards, each always to the same one", () => {
    const ids = Array.from({ length: 4000 }, () => crypto.randomUUID());
    const counts = [0, 0, 0, 0];
    for (const id of ids) counts[shardOf(id, 4)] = (counts[shardOf(id, 4)] ?? 0) + 1;
    for (const count of counts) expect(count).toBeGreaterThan(800);
    expect(ids.map((id) => shardOf(id, 4))).toEqual(ids.map((id) => shardOf(id, 4)));
  });

  test("a job name round-trips, and nothing else parses as one", () => {
    expect(parseBucketJobName(bucketJobName(1_900_000_000_000, 3))).toEqual({
      bucket: 1_900_000_000_000,
      shard: 3,
    });
    expect(parseBucketJobName("reminder-abc")).toBeUndefined();
    expect(parseBucketJobName("bucket-1-2-3")).toBeUndefined();
  });

  test("the job fires the preparation time ahead of the first instant, never in the past", () => {
    expect(fireTimeOf(10_000, 500, 1_000)).toBe(9_500);
    expect(fireTimeOf(10_000, 500, 9_800)).toBe(9_800);
  });

  test("delivery ids are safe names", () => {
    const id = deliveryIdFor(
      "0195f2b2-0000-7000-8000-000000000000",
      "0195f2b2-0000-7000-8000-000000000000:1900000000000",
    );
    expect(id).toBe(
      "reminder-0195f2b2-0000-7000-8000-000000000000-0195f2b2-0000-7000-8000-000000000000_1900000000000",
    );
  });
});
