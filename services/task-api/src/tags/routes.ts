import { Id, Problem, Tag, TagCreate, TagPatch } from "@nudge/contracts";
import type { Sql } from "@nudge/db";
import { authentication, HEADERS, readsHeaders } from "@nudge/http";
import { Type } from "@sinclair/typebox";
import { Elysia } from "elysia";
import { json, oncePerKey } from "../http/respond.ts";
import { tagsService } from "./service.ts";

const IdParams = Type.Object({ id: Id }, { additionalProperties: false });
const errors = { 400: Problem, 401: Problem, 404: Problem, 409: Problem, 422: Problem };

export function tagRoutes(sql: Sql) {
  const tags = tagsService(sql);
  return new Elysia({ prefix: "/tags", tags: ["tags"] })
    .use(authentication())
    .get("", ({ userId }) => tags.list(userId), { response: { 200: Type.Array(Tag), ...errors } })
    .post(
      "",
      ({ userId, body, headers, path }) =>
        oncePerKey(sql, { userId, key: headers["idempotency-key"], path, body }, async (tx) => ({
          status: 201,
          headers: {},
          body: await tags.create(userId, body, tx),
        })),
      {
        body: TagCreate,
        response: { 201: Tag, ...errors },
        detail: { summary: "Create a tag", ...readsHeaders(HEADERS.idempotencyKey) },
      },
    )
    .patch("/:id", ({ userId, params, body }) => tags.update(userId, params.id, body), {
      params: IdParams,
      body: TagPatch,
      response: { 200: Tag, ...errors },
      detail: { summary: "Rename or recolour a tag" },
    })
    .delete(
      "/:id",
      async ({ userId, params }) => {
        await tags.remove(userId, params.id);
        return json(undefined, 204);
      },
      { params: IdParams, detail: { summary: "Delete a tag (its tasks keep existing)" } },
    );
}
