import { Kind, type TSchema, type TUnsafe, Type, TypeRegistry } from "@sinclair/typebox";
import { DefaultErrorFunction, SetErrorFunction } from "@sinclair/typebox/errors";

/**
 * The boundary types every route's schema is built from. Each one accepts exactly what its JSON
 * Schema says (so a generator reading the OpenAPI document and our validator agree), and nothing
 * PostgreSQL or the runtime would reject or silently change.
 */

/**
 * What String.prototype.trim removes (ECMAScript WhiteSpace and LineTerminator), spelled out so
 * the published pattern means the same in every regex dialect (Python's \s differs from JS's).
 */
const WHITESPACE =
  "\\t\\n\\u000b\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff";
const NOT_BLANK = new RegExp(`[^${WHITESPACE}\\u0000]`);
const ANY_PATTERN = "^[^\\u0000]*$";
const NOT_BLANK_PATTERN = `^[^\\u0000]*[^${WHITESPACE}\\u0000][^\\u0000]*$`;

export interface TextOptions {
  minLength?: number;
  maxLength: number;
  /** Must contain something besides whitespace (it is stored trimmed). */
  notBlank?: boolean;
  description?: string;
}

const TEXT_KIND = "NudgeText";

interface TextSchema {
  minLength?: number;
  maxLength: number;
  pattern: string;
}

function textProblem(schema: TextSchema, value: unknown): string | undefined {
  if (typeof value !== "string") return "Expected string";
  if (value.includes("\u0000")) return "must not contain U+0000";
  if (!value.isWellFormed()) return "must not contain lone UTF-16 surrogates";
  let length = 0;
  for (const _ of value) length++;
  if (length < (schema.minLength ?? 0)) return `must be at least ${schema.minLength} characters`;
  if (length > schema.maxLength) return `must be at most ${schema.maxLength} characters`;
  if (schema.pattern === NOT_BLANK_PATTERN && !NOT_BLANK.test(value)) return "must not be blank";
  return undefined;
}

TypeRegistry.Set<TextSchema>(TEXT_KIND, (schema, value) => textProblem(schema, value) === undefined);
/** Messages name what is wrong in words; a schema may carry its own (`x-error-message`). */
SetErrorFunction((error) => {
  if (error.schema[Kind] === TEXT_KIND) {
    return textProblem(error.schema as unknown as TextSchema, error.value) ?? "is invalid";
  }
  const own = (error.schema as { "x-error-message"?: unknown })["x-error-message"];
  return typeof own === "string" ? own : DefaultErrorFunction(error);
});

/**
 * Text as people type it: lengths in code points (what JSON Schema's maxLength means, so 300
 * emoji fit a 500-character title), never U+0000 or a lone surrogate (PostgreSQL cannot store
 * the first, UTF-8 cannot carry the second).
 */
export function Text(options: TextOptions): TUnsafe<string> {
  const pattern = options.notBlank ? NOT_BLANK_PATTERN : ANY_PATTERN;
  return Type.Unsafe<string>({
    [Kind]: TEXT_KIND,
    type: "string",
    ...(options.minLength ? { minLength: options.minLength } : {}),
    maxLength: options.maxLength,
    pattern,
    ...(options.description ? { description: options.description } : {}),
  } as unknown as TSchema);
}

const ONE_OF_KIND = "NudgeOneOf";
const oneOfSets = new WeakMap<object, Set<string>>();
TypeRegistry.Set<{ enum: string[] }>(ONE_OF_KIND, (schema, value) => {
  let set = oneOfSets.get(schema);
  if (!set) oneOfSets.set(schema, (set = new Set(schema.enum)));
  return typeof value === "string" && set.has(value);
});

/**
 * One of many fixed strings, published as a JSON Schema `enum` and checked with one Set lookup
 * (a union of hundreds of literals costs a comparison and, on failure, an error per member).
 */
export function OneOf(
  values: readonly string[],
  options: { description: string; message: string },
): TUnsafe<string> {
  return Type.Unsafe<string>({
    [Kind]: ONE_OF_KIND,
    type: "string",
    enum: [...values],
    description: options.description,
    "x-error-message": options.message,
  } as unknown as TSchema);
}

/** Is this a value a Text schema accepts? (For code that checks text outside a route schema.) */
export const textError = (value: unknown, options: TextOptions) =>
  textProblem({ ...options, pattern: options.notBlank ? NOT_BLANK_PATTERN : ANY_PATTERN }, value);
