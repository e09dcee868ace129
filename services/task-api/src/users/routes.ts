import { Preferences, PreferencesPatch, Problem } from "@nudge/contracts";
import type { Sql } from "@nudge/db";
import { authentication } from "@nudge/http";
import { Elysia } from "elysia";
import { getPreferences, updatePreferences } from "./service.ts";

export function preferenceRoutes(sql: Sql) {
  return new Elysia({ prefix: "/me", tags: ["preferences"] })
    .use(authentication())
    .get("/preferences", ({ userId }) => getPreferences(sql, userId), {
      response: { 200: Preferences, 401: Problem },
      detail: { summary: "Your time zone, reminder emails and daily digest" },
    })
    .patch("/preferences", ({ userId, body }) => updatePreferences(sql, userId, body), {
      body: PreferencesPatch,
      response: { 200: Preferences, 400: Problem, 401: Problem, 422: Problem },
      detail: { summary: "Change your time zone, reminder emails or daily digest" },
    });
}
