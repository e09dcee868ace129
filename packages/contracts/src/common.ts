import { type TSchema, Type } from "@sinclair/typebox";
import { OneOf } from "./text.ts";
import { TIME_ZONES } from "./time-zones.ts";

export { OneOf, Text, type TextOptions, textError } from "./text.ts";

const UUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";
export const Id = Type.String({ format: "uuid", pattern: UUID_PATTERN, description: "A UUID." });

/** Instants we accept: years 1970–2999 (what a reminder, a due date or a snooze can sensibly mean). */
export const MIN_YEAR = 1970;
export const MAX_YEAR = 2999;

/**
 * RFC 3339 `date-time` with a real calendar date (no 2026-02-30) and a year in MIN_YEAR..MAX_YEAR,
 * as one regular expression: the published schema and our validator then accept exactly the same
 * strings. Leap years in range: divisible by 4, except the centuries not divisible by 400.
 */
const YEAR = "(?:19[7-9]\\d|2\\d{3})";
const LEAP_YEAR = "(?:19(?:7[26]|8[048]|9[26])|2\\d(?:0[48]|[2468][048]|[13579][26])|2000|2400|2800)";
const DATE =
  `(?:${YEAR}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1\\d|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)` +
  `|${LEAP_YEAR}-02-29)`;
const TIME = "(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d{1,9})?";
const OFFSET = "(?:Z|[+-](?:[01]\\d|2[0-3]):[0-5]\\d)";
export const INSTANT_PATTERN = `^${DATE}T${TIME}${OFFSET}$`;
const INSTANT = new RegExp(INSTANT_PATTERN);

export const Instant = Type.String({
  pattern: INSTANT_PATTERN,
  maxLength: 40,
  description: `An instant, RFC 3339 with offset (e.g. 2026-05-01T09:00:00Z), years ${MIN_YEAR}–${MAX_YEAR}.`,
});

/** A calendar date (no 2026-02-30), YYYY-MM-DD, in the years Instant accepts. */
export const LocalDate = Type.String({
  pattern: `^${DATE}$`,
  description: `A local date, YYYY-MM-DD, years ${MIN_YEAR}–${MAX_YEAR}.`,
});

/** An Idempotency-Key, as a header or an internal call's field: 1–200 visible ASCII characters. */
export const IDEMPOTENCY_KEY_PATTERN = "^[\\x21-\\x7e]{1,200}$";

/** The Date of an instant `Instant` accepted (its pattern guarantees a valid date). */
export function instantOf(text: string): Date {
  if (!INSTANT.test(text)) throw new RangeError(`not an accepted instant: ${text}`);
  return new Date(text);
}
export const isInstant = (text: string) => INSTANT.test(text);

/**
 * An IANA time zone both the runtime (Intl) and PostgreSQL know, spelled canonically. The list is
 * vetted (time-zones.ts); each service that stores zones checks it against pg_timezone_names at start.
 */
export const TimeZone = OneOf(TIME_ZONES, {
  description: "An IANA time zone such as Europe/Berlin (canonical spelling).",
  message: "must be an IANA time zone such as Europe/Berlin, spelled canonically",
});
export { TIME_ZONES };

/** A count or an index that fits PostgreSQL's integer. */
export const Int32 = (options: {
  minimum: number;
  maximum?: number;
  default?: number;
  description?: string;
}) => Type.Integer({ maximum: 2_147_483_647, ...options });

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** RFC 9457 problem details, the one error format of every Nudge API. */
export const Problem = Type.Object(
  {
    type: Type.String({ description: "A stable URI reference naming the kind of problem." }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          field: Type.String({ description: "Where the problem is, e.g. body.title or query.limit." }),
          message: Type.String(),
        }),
      ),
    ),
  },
  { $id: "Problem" },
);
