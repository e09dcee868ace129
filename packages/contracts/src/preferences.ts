import { type Static, Type } from "@sinclair/typebox";
import { Nullable, TimeZone } from "./common.ts";

const Email = Type.String({ format: "email", maxLength: 254 });

export const Preferences = Type.Object(
  { timeZone: Type.String(), email: Nullable(Type.String()) },
  { $id: "Preferences" },
);
export type Preferences = Static<typeof Preferences>;

export const PreferencesPatch = Type.Object(
  { timeZone: Type.Optional(TimeZone), email: Type.Optional(Nullable(Email)) },
  { additionalProperties: false, minProperties: 1, $id: "PreferencesPatch" },
);
export type PreferencesPatch = Static<typeof PreferencesPatch>;
