import { type Static, Type } from "@sinclair/typebox";
import { Nullable, TimeZone } from "./common.ts";

const Email = Type.String({ format: "email", maxLength: 254 });

/** A time of day on the wall clock, "HH:MM" (24-hour). */
export const LocalTime = Type.String({
  pattern: "^(?:[01]\\d|2[0-3]):[0-5]\\d$",
  description: 'A time of day on the wall clock, "HH:MM" (24-hour), e.g. "08:00".',
});

export const DigestPreferences = Type.Object({
  enabled: Type.Boolean({ description: "One email a day listing overdue tasks and tasks due today." }),
  localTime: LocalTime,
  nextAt: Nullable(
    Type.String({
      format: "date-time",
      description: "When the next digest is due (localTime in timeZone, DST-correct); null while off.",
    }),
  ),
});

export const Preferences = Type.Object(
  {
    timeZone: Type.String(),
    email: Nullable(Type.String()),
    reminderEmails: Type.Boolean({
      description: "Reminders are emailed (true) or only shown as in-app notifications (false).",
    }),
    digest: DigestPreferences,
  },
  { $id: "Preferences" },
);
export type Preferences = Static<typeof Preferences>;

export const PreferencesPatch = Type.Object(
  {
    timeZone: Type.Optional(TimeZone),
    email: Type.Optional(Nullable(Email)),
    reminderEmails: Type.Optional(Type.Boolean()),
    digest: Type.Optional(
      Type.Object(
        { enabled: Type.Optional(Type.Boolean()), localTime: Type.Optional(LocalTime) },
        { additionalProperties: false, minProperties: 1 },
      ),
    ),
  },
  { additionalProperties: false, minProperties: 1, $id: "PreferencesPatch" },
);
export type PreferencesPatch = Static<typeof PreferencesPatch>;
