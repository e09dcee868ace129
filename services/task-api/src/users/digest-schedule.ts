import { addDays, instantAtLocalTime, localDay } from "@nudge/recurrence";

// Beside the preferences that reschedule it (a new time or zone); digest/ sends and advances it.

/** One user's digest of one local day: the day (YYYY-MM-DD in their zone) and its instant. */
export interface DigestSlot {
  day: string;
  at: Date;
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
