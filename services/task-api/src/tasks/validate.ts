import { isInstant } from "@nudge/contracts";
import { invalid } from "@nudge/http";
import { parseRecurrence, type RecurrenceContext } from "@nudge/recurrence";

export function cleanTitle(title: string, field = "body.title"): string {
  const trimmed = title.trim();
  if (!trimmed) throw invalid(field, "must not be blank");
  return trimmed;
}

/**
 * An RRULE or a phrase ("every weekday at 9am") as a normalized RRULE, or a 422 with the reason
 * and a hint. A date or floating UNTIL is read in the series' zone; with the series' start, a
 * rule that never (or only absurdly rarely) matches from it is refused too.
 */
export function normalizeRecurrence(
  text: string | null,
  context: RecurrenceContext,
  field = "body.recurrence",
): string | null {
  if (text === null) return null;
  const parsed = parseRecurrence(text, context);
  if (!parsed.ok) throw invalid(field, `${parsed.message}; ${parsed.hint}`);
  return parsed.rule;
}

/** Trimmed, non-blank, one per case-insensitive name (the first spelling wins). */
export function normalizeTagNames(names: string[], field = "body.tags"): string[] {
  const byKey = new Map<string, string>();
  names.forEach((name, i) => {
    const trimmed = name.trim();
    if (!trimmed) throw invalid(`${field}.${i}`, "must not be blank");
    if (!byKey.has(trimmed.toLowerCase())) byKey.set(trimmed.toLowerCase(), trimmed);
  });
  return [...byKey.values()];
}

/** An instant as the contract's Instant accepts it (real calendar date, years 1970–2999). */
export function parseInstant(value: string | null, field: string): Date | null {
  if (value === null) return null;
  if (!isInstant(value)) throw invalid(field, "must be an RFC 3339 date-time with offset, years 1970–2999");
  return new Date(value);
}
