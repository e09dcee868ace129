import { describeRule } from "./describe.ts";
import { admissionProblem } from "./engine.ts";
import { naturalTextToRrule, RECURRENCE_HINT } from "./natural-text.ts";
import { parseRule } from "./rule.ts";
import { wallClockOf } from "./zone.ts";

export type ParsedRecurrence =
  | { ok: true; rule: string; from: "rrule" | "text"; description: string }
  | { ok: false; message: string; hint: string };

export interface RecurrenceContext {
  /** The series' zone: a date or floating UNTIL is read in it. */
  timeZone: string;
  /** The series' start, when known: the rule must then produce occurrences from it. */
  anchor?: Date | null;
}

/**
 * What a user typed as a recurrence — an RRULE (`FREQ=…`, with or without `RRULE:`) or a phrase
 * such as "every weekday at 9am" — as one normalized RRULE and its description in English, or
 * a message and a hint. With an anchor, a rule that never (or only absurdly rarely) matches
 * from it is refused too.
 */
export function parseRecurrence(input: string, context: RecurrenceContext): ParsedRecurrence {
  const text = input.trim();
  const isRule = text.includes("=") || /^rrule:/i.test(text);
  let ruleText = text;
  if (!isRule) {
    const startMonth = context.anchor ? wallClockOf(context.anchor, context.timeZone).month : undefined;
    const phrase = naturalTextToRrule(text, { startMonth });
    if (!phrase.ok)
      return { ok: false, message: `could not read "${text}": ${phrase.message}`, hint: RECURRENCE_HINT };
    ruleText = phrase.rule;
  }
  const parsed = parseRule(ruleText, context.timeZone);
  if (!parsed.ok)
    return {
      ok: false,
      message: isRule ? `not a valid RRULE: ${parsed.message}` : parsed.message,
      hint: RECURRENCE_HINT,
    };
  if (context.anchor) {
    const problem = admissionProblem({
      rule: parsed.text,
      anchor: context.anchor,
      timeZone: context.timeZone,
    });
    if (problem) return { ok: false, message: problem, hint: RECURRENCE_HINT };
  }
  return {
    ok: true,
    rule: parsed.text,
    from: isRule ? "rrule" : "text",
    description: describeRule(parsed.rule, context.timeZone),
  };
}

/** The English description of a stored (normalized) rule, or null when the task has none. */
export function describeRecurrence(rule: string | null, timeZone: string): string | null {
  if (rule === null) return null;
  const parsed = parseRule(rule, timeZone);
  return parsed.ok ? describeRule(parsed.rule, timeZone) : null;
}
