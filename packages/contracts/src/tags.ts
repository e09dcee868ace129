import { type Static, Type } from "@sinclair/typebox";
import { Id, Instant, Nullable } from "./common.ts";
import { TagName } from "./tasks.ts";

const Color = Type.String({ pattern: "^#[0-9a-fA-F]{6}$", description: "#RRGGBB" });

export const TagCreate = Type.Object(
  { name: TagName, color: Type.Optional(Nullable(Color)) },
  { additionalProperties: false, $id: "TagCreate" },
);
export type TagCreate = Static<typeof TagCreate>;

export const TagPatch = Type.Object(
  { name: Type.Optional(TagName), color: Type.Optional(Nullable(Color)) },
  { additionalProperties: false, minProperties: 1, $id: "TagPatch" },
);
export type TagPatch = Static<typeof TagPatch>;

export const Tag = Type.Object(
  { id: Id, name: Type.String(), color: Nullable(Type.String()), createdAt: Instant },
  { $id: "Tag" },
);
export type Tag = Static<typeof Tag>;
