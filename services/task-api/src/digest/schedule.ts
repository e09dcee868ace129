import { instantOf, wallClockOf } from "@nudge/recurrence";

/** One user's digest of one local day: the day (YYYY-MM-DD in their zone) and its instant. */
export interface DigestSlot {
  day: string;
  at: Date;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** The local calendar date of an instant in a zone, YYYY-MM-DD. */
export function localDay(instant: Date, timeZone: string): string {
  const wall = wallClockOf(instant, timeZone);
  return `${wall.year}-${pad(wall.month)}-${pad(wall.day)}`;
}

export function addDays(day: string, days: number): string {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/**
 * The instant of `localTime` on `day` in the zone. A time that does not exist that day (a
 * spring-forward gap) moves forward by the gap; one that happens twice means the first.
 */
export function instantAtLocalTime(day: string, localTime: string, timeZone: string): Date {
  const [year, month, date] = day.split("-").map(Number) as [number, number, number];
  const [hour, minute] = localTime.split(":").map(Number) as [number, number];
  return instantOf({ year, month, day: date, hour, minute, second: 0 }, timeZone);
}

/**
 * The next digest still to send: the first local day after `lastDay` (the last one claimed)
 * whose digest instant lies after `now`. Changing the time or the zone after today's digest
 * went out therefore never sends a second one for the same local day.
 */
export function nextDigest(
  localTime: string,
  timeZone: string,
  now: Date,
  lastDay: string | null,
): DigestSlot {
  let day = localDay(now, timeZone);
  // A local day is at most a day and a bit ahead of another zone's: a few steps always suffice.
  for (let step = 0; step < 4; step++, day = addDays(day, 1)) {
    if (lastDay !== null && day <= lastDay) continue;
    const at = instantAtLocalTime(day, localTime, timeZone);
    if (at > now) return { day, at };
  }
  throw new RangeError(
    `no digest day found after ${lastDay} for ${localTime} ${timeZone} at ${now.toISOString()}`,
  );
}
