import { naturalTextToRrule, RECURRENCE_HINT } from "./natural-text.ts";
import { parseRruleText } from "./rrule-text.ts";

export type ParsedRecurrence =
  | { ok: true; rule: string; from: "rrule" | "text" }
  | { ok: false; message: string; hint: string };

/**
 * What a user typed as a recurrence — an RRULE (`FREQ=…`, with or without `RRULE:`) or a phrase
 * such as "every weekday at 9am" — as one normalized RRULE, or a message and a hint.
 */
export function parseRecurrence(input: string): ParsedRecurrence {
  const text = input.trim();
  if (text.includes("=") || /^rrule:/i.test(text)) {
    const parsed = parseRruleText(text);
    return parsed.ok
      ? { ok: true, rule: parsed.rule, from: "rrule" }
      : { ok: false, message: `not a valid RRULE: ${parsed.message}`, hint: RECURRENCE_HINT };
  }
  const phrase = naturalTextToRrule(text);
  if (!phrase.ok)
    return { ok: false, message: `could not read "${text}": ${phrase.message}`, hint: RECURRENCE_HINT };
  const parsed = parseRruleText(phrase.rule);
  return parsed.ok
    ? { ok: true, rule: parsed.rule, from: "text" }
    : { ok: false, message: parsed.message, hint: RECURRENCE_HINT };
}
