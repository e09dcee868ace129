/**
 * Sub-daily rules step through the day from DTSTART by INTERVAL, so they only ever reach the
 * times of day congruent to DTSTART's modulo gcd(INTERVAL, the day's length in the FREQ's unit):
 * every 15 minutes from 09:11 reaches minutes 11, 26, 41 and 56 of each hour, never 45. A rule
 * whose BYHOUR/BYMINUTE/BYSECOND ask only for unreachable times never matches, whatever its
 * end (python-dateutil refuses these as "an empty set" too).
 */
import { mod, wallTimeOf } from "./calendar.ts";
import type { Rule } from "./rule.ts";

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

export function unreachableTimes(rule: Rule, startFloating: number): string | null {
  const unit = { HOURLY: 3600, MINUTELY: 60, SECONDLY: 1 }[rule.freq as string];
  if (!unit) return null;
  const filtered = rule.byHour || (unit <= 60 && rule.byMinute) || (unit === 1 && rule.bySecond);
  if (!filtered) return null;
  const perDay = 86_400 / unit;
  const step = gcd(rule.interval, perDay);
  if (step === 1) return null;
  const s = wallTimeOf(startFloating);
  const startSlot = Math.floor((s.hour * 3600 + s.minute * 60 + s.second) / unit);
  const hours = rule.byHour ?? range(24);
  const minutes = unit <= 60 ? (rule.byMinute ?? range(60)) : [0];
  const seconds = unit === 1 ? (rule.bySecond ?? range(60)) : [0];
  for (const h of hours)
    for (const m of minutes)
      for (const sec of seconds) {
        const slot = (h * 3600 + (unit <= 60 ? m * 60 : 0) + sec) / unit;
        if (mod(slot - startSlot, step) === 0) return null;
      }
  const what = unit === 3600 ? "hours" : unit === 60 ? "minutes" : "seconds";
  return `INTERVAL=${rule.interval} from a start at ${String(s.hour).padStart(2, "0")}:${String(s.minute).padStart(2, "0")}:${String(s.second).padStart(2, "0")} reaches only every ${step}th of the day's ${what}, none of which the BYxxx parts ask for: the rule never matches`;
}
