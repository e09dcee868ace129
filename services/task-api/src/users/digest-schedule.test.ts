import { describe, expect, test } from "bun:test";
import { instantAtLocalTime, localDay } from "@nudge/recurrence";
import fc from "fast-check";
import { nextDigest } from "./digest-schedule.ts";

describe("the digest's next instant", () => {
  test("08:00 in Berlin is 07:00Z in winter and 06:00Z in summer, across the spring change", () => {
    // 2030-03-31: clocks go 02:00 → 03:00.
    const before = new Date("2030-03-30T07:30:00Z");
    expect(nextDigest("08:00", "Europe/Berlin", before, null)).toEqual({
      day: "2030-03-31",
      at: new Date("2030-03-31T06:00:00Z"),
    });
    expect(nextDigest("08:00", "Europe/Berlin", new Date("2030-03-30T06:59:59Z"), null)).toEqual({
      day: "2030-03-30",
      at: new Date("2030-03-30T07:00:00Z"),
    });
  });

  test("a time that does not exist that day moves forward by the gap; one that happens twice is the first", () => {
    expect(instantAtLocalTime("2030-03-31", "02:30", "Europe/Berlin")).toEqual(
      new Date("2030-03-31T01:30:00Z"),
    );
    // 2030-11-03 in New York: 01:30 happens at 05:30Z (EDT) and again at 06:30Z (EST).
    expect(instantAtLocalTime("2030-11-03", "01:30", "America/New_York")).toEqual(
      new Date("2030-11-03T05:30:00Z"),
    );
  });

  test("after today's digest was claimed, changing the time or the zone never gives today a second one", () => {
    const now = new Date("2030-06-10T06:30:00Z"); // 08:30 in Berlin
    expect(nextDigest("09:00", "Europe/Berlin", now, null).day).toBe("2030-06-10");
    expect(nextDigest("09:00", "Europe/Berlin", now, "2030-06-10")).toEqual({
      day: "2030-06-11",
      at: new Date("2030-06-11T07:00:00Z"),
    });
    // Moving west to a zone where it is still the 9th: the 9th and the 10th are both taken.
    expect(nextDigest("23:00", "Pacific/Honolulu", now, "2030-06-10").day).toBe("2030-06-11");
  });

  test("is always later than now, on a later local day than the last claimed, at the local time asked", () => {
    const zones = [
      "UTC",
      "Europe/Berlin",
      "America/New_York",
      "Australia/Lord_Howe",
      "Asia/Kathmandu",
      "Pacific/Kiritimati",
      "America/St_Johns",
    ];
    const seed = Number(process.env.DIGEST_PROPERTY_SEED ?? Date.now() % 2_147_483_647);
    console.log(`digest schedule properties: seed ${seed} (DIGEST_PROPERTY_SEED=${seed} reproduces)`);
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2037, 0, 1) }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        fc.option(fc.integer({ min: -2, max: 1 })),
        (zone, ms, hour, minute, lastOffset) => {
          const now = new Date(ms);
          const time = `${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")}`;
          const today = localDay(now, zone);
          const last = lastOffset === null ? null : shift(today, lastOffset);
          const next = nextDigest(time, zone, now, last);
          expect(next.at.getTime()).toBeGreaterThan(now.getTime());
          if (last) expect(next.day > last).toBe(true);
          expect(next.at).toEqual(instantAtLocalTime(next.day, time, zone));
          // Never more than two local days ahead, and no earlier qualifying day was skipped.
          const previous = shift(next.day, -1);
          const earlierOk =
            (last === null || previous > last) && instantAtLocalTime(previous, time, zone) > now;
          expect(earlierOk).toBe(false);
        },
      ),
      { seed, numRuns: 2000 },
    );
  });
});

function shift(day: string, days: number): string {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

describe("local wall-clock times, judged by Python's zoneinfo", () => {
  test("instantAtLocalTime agrees with zoneinfo (fold=0: gaps move forward, overlaps take the first)", () => {
    const zones = [
      "Europe/Berlin",
      "America/New_York",
      "Australia/Sydney",
      "America/Santiago",
      "Asia/Tehran",
      "Europe/London",
      "America/Havana",
    ];
    const seed = Number(process.env.DIGEST_PROPERTY_SEED ?? 4242);
    const cases = fc.sample(
      fc.record({
        zone: fc.constantFrom(...zones),
        day: fc
          .integer({ min: Date.UTC(2005, 0, 1), max: Date.UTC(2035, 0, 1) })
          .map((ms) => new Date(ms).toISOString().slice(0, 10)),
        hour: fc.integer({ min: 0, max: 23 }),
        minute: fc.constantFrom<number>(0, 15, 30, 59),
      }),
      { seed, numRuns: 400 },
    );
    // Each DST change day of each zone, at every half hour, too: the cases that matter most.
    for (const zone of zones) {
      for (let year = 2024; year <= 2030; year++) {
        for (const day of changeDays(zone, year)) {
          for (let half = 0; half < 48; half++)
            cases.push({ zone, day, hour: Math.floor(half / 2), minute: (half % 2) * 30 });
        }
      }
    }
    const script = `
import json, sys
from datetime import datetime
from zoneinfo import ZoneInfo
for line in sys.stdin:
    c = json.loads(line)
    y, m, d = map(int, c["day"].split("-"))
    local = datetime(y, m, d, c["hour"], c["minute"], tzinfo=ZoneInfo(c["zone"]), fold=0)
    print(int(local.timestamp() * 1000))
`;
    const run = Bun.spawnSync(["python3", "-c", script], {
      stdin: new TextEncoder().encode(cases.map((c) => JSON.stringify(c)).join("\n")),
    });
    expect(run.stderr.toString()).toBe("");
    const judged = run.stdout.toString().trim().split("\n").map(Number);
    expect(judged).toHaveLength(cases.length);
    const disagreements = cases.flatMap((c, i) => {
      const time = `${String(c.hour).padStart(2, "0")}:${String(c.minute).padStart(2, "0")}`;
      const ours = instantAtLocalTime(c.day, time, c.zone).getTime();
      return ours === judged[i]
        ? []
        : [
            `${c.zone} ${c.day} ${time}: ours ${new Date(ours).toISOString()}, zoneinfo ${new Date(judged[i] as number).toISOString()}`,
          ];
    });
    expect(disagreements).toEqual([]);
    // Thousands of cases and a Python process: seconds on a loaded machine, not a timing claim.
  }, 30_000);
});

/** The local days of `year` on which the zone's offset changes. */
function changeDays(zone: string, year: number): string[] {
  const days: string[] = [];
  const offset = (ms: number) =>
    instantAtLocalTime(new Date(ms).toISOString().slice(0, 10), "12:00", zone).getTime() - ms;
  for (let ms = Date.UTC(year, 0, 1, 12); ms < Date.UTC(year + 1, 0, 1); ms += 86_400_000) {
    if (offset(ms) !== offset(ms + 86_400_000))
      days.push(new Date(ms + 86_400_000).toISOString().slice(0, 10));
  }
  return days;
}
