/**
 * Wall-clock ↔ instant conversion in an IANA zone, with the DST rules Nudge documents:
 * - a wall-clock time that does not exist (spring-forward gap) moves forward by the gap's
 *   length (02:30 on a day that jumps 02:00→03:00 becomes 03:30), as RFC 5545 §3.3.5 asks;
 * - a wall-clock time that happens twice (fall-back overlap) means the first, earlier instant.
 */
export interface WallClock {
  year: number;
  month: number; // 1–12
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
/** One formatter per (purpose, zone): building an Intl.DateTimeFormat costs far more than using one. */
function cachedFormatter(purpose: string, timeZone: string, make: () => Intl.DateTimeFormat) {
  const key = `${purpose}\n${timeZone}`;
  let f = formatters.get(key);
  if (!f) {
    f = make();
    formatters.set(key, f);
  }
  return f;
}

const formatter = (timeZone: string) =>
  cachedFormatter(
    "wall",
    timeZone,
    () =>
      new Intl.DateTimeFormat("en-US", {
        timeZone,
        hourCycle: "h23",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
      }),
  );

export function wallClockOf(instant: Date, timeZone: string): WallClock {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(instant)
      .map((p) => [p.type, Number(p.value)]),
  );
  return {
    year: parts.year as number,
    month: parts.month as number,
    day: parts.day as number,
    hour: parts.hour as number,
    minute: parts.minute as number,
    second: parts.second as number,
  };
}

/** The zone's offset from UTC at an instant, in milliseconds. */
function offsetAt(instant: number, timeZone: string): number {
  const w = wallClockOf(new Date(instant), timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/** The instant a wall-clock time denotes in the zone (see the gap and overlap rules above). */
export function instantOf(wall: WallClock, timeZone: string): Date {
  const naive = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  // The offset can only be one of those in force a day around: try both, earliest first.
  const candidates = [
    ...new Set([offsetAt(naive - 86_400_000, timeZone), offsetAt(naive + 86_400_000, timeZone)]),
  ]
    .map((offset) => naive - offset)
    .sort((a, b) => a - b);
  for (const candidate of candidates) {
    const back = wallClockOf(new Date(candidate), timeZone);
    if (Date.UTC(back.year, back.month - 1, back.day, back.hour, back.minute, back.second) === naive) {
      return new Date(candidate); // exists (the first one, in an overlap)
    }
  }
  // In a gap: keep the offset from before the jump, which lands the gap's length later.
  const before = offsetAt(naive - 86_400_000, timeZone);
  return new Date(naive - before);
}

/**
 * "Mon 1 Jul 2030, 09:30": an instant as a person reads it on their wall clock, in English,
 * assembled from parts so the punctuation does not depend on the ICU version.
 */
export function readableWallClock(instant: Date, timeZone: string): string {
  const f = cachedFormatter(
    "readable",
    timeZone,
    () =>
      new Intl.DateTimeFormat("en-GB", {
        timeZone,
        weekday: "short",
        day: "numeric",
        month: "short",
        year: "numeric",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
      }),
  );
  const p = Object.fromEntries(f.formatToParts(instant).map((part) => [part.type, part.value]));
  return `${p.weekday} ${p.day} ${p.month} ${p.year}, ${p.hour}:${p.minute}`;
}
