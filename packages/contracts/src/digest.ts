import { type Static, Type } from "@sinclair/typebox";
import { Instant, LocalDate, Nullable, Text } from "./common.ts";
import { MailingLinks, TaskEmailLinks } from "./email.ts";

/** The daily digest between notification-service (which sends it) and task-api (which knows users and tasks). */
export const MAX_DIGEST_BATCH = 1000;
/** A digest lists at most this many tasks; the rest is counted. */
export const MAX_DIGEST_TASKS = 25;

/** One user's digest of one local day: what the exactly-once record is keyed by. */
export const DigestRef = Type.Object(
  { userId: Text({ minLength: 1, maxLength: 200 }), day: LocalDate },
  { additionalProperties: false },
);
export type DigestRef = Static<typeof DigestRef>;

/** notification-service → task-api: whose digests are due by `before`? */
export const InternalDigestDue = Type.Object(
  { before: Instant, limit: Type.Integer({ minimum: 1, maximum: MAX_DIGEST_BATCH }) },
  { additionalProperties: false, $id: "InternalDigestDue" },
);
export type InternalDigestDue = Static<typeof InternalDigestDue>;

export const DigestDue = Type.Object(
  { items: Type.Array(Type.Object({ userId: Type.String(), day: LocalDate, at: Instant })) },
  { $id: "DigestDue" },
);
export type DigestDue = Static<typeof DigestDue>;

/** notification-service → task-api: these digests are recorded (claimed) or to be rendered. */
export const InternalDigestRefs = Type.Object(
  { items: Type.Array(DigestRef, { minItems: 1, maxItems: MAX_DIGEST_BATCH }) },
  { additionalProperties: false, $id: "InternalDigestRefs" },
);
export type InternalDigestRefs = Static<typeof InternalDigestRefs>;

export const DigestClaimed = Type.Object(
  {
    advanced: Type.Integer({
      minimum: 0,
      description: "Users whose next digest moved on (repeats move none).",
    }),
  },
  { $id: "DigestClaimed" },
);
export type DigestClaimed = Static<typeof DigestClaimed>;

export const DigestTask = Type.Object({
  id: Type.String(),
  title: Type.String(),
  priority: Type.String(),
  dueAt: Instant,
  /** Due before the digest's instant; otherwise due later that day. */
  overdue: Type.Boolean(),
  links: TaskEmailLinks,
});
export type DigestTask = Static<typeof DigestTask>;

/**
 * What one digest says, computed against the digest's own instant (not the time of asking), so
 * the same digest renders the same while its tasks do not change.
 */
export const DigestContent = Type.Object({
  userId: Type.String(),
  day: LocalDate,
  at: Instant,
  recipient: Type.Object({
    email: Nullable(Type.String()),
    timeZone: Type.String(),
    /** The digest may have been turned off since it was claimed. */
    digestEnabled: Type.Boolean(),
  }),
  tasks: Type.Array(DigestTask, { maxItems: MAX_DIGEST_TASKS }),
  counts: Type.Object({ overdue: Type.Integer(), dueToday: Type.Integer() }),
  links: MailingLinks,
});
export type DigestContent = Static<typeof DigestContent>;

export const DigestContents = Type.Object({ items: Type.Array(DigestContent) }, { $id: "DigestContents" });
export type DigestContents = Static<typeof DigestContents>;
