import { type TSchema, Type } from "@sinclair/typebox";

export const Id = Type.String({ format: "uuid", description: "A UUID." });
export const Instant = Type.String({
  format: "date-time",
  description: "An instant, RFC 3339 with offset (e.g. 2026-05-01T09:00:00Z).",
});
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
