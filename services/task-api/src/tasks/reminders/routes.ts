import { Id, Problem, Reminder, ReminderCreate, ReminderSnooze } from "@nudge/contracts";
import type { Sql } from "@nudge/db";
import { authentication, HEADERS, ProblemError, readsHeaders, traceContext } from "@nudge/http";
import { Type } from "@sinclair/typebox";
import { Elysia } from "elysia";
import { json, oncePerKey } from "../../http/respond.ts";
import { remindersService } from "./service.ts";

const uuid = Id;
const IdParams = Type.Object({ id: uuid }, { additionalProperties: false });
const ReminderParams = Type.Object({ id: uuid, reminderId: uuid }, { additionalProperties: false });
const errors = { 400: Problem, 401: Problem, 404: Problem, 409: Problem, 422: Problem };

/**
 * The contracts are unions of one-field objects; a body naming both alternatives gets one clear
 * problem instead of a schema error per variant.
 */
const oneOf =
  (a: string, b: string) =>
  ({ body }: { body: unknown }) => {
    if (typeof body === "object" && body !== null && a in body && b in body) {
      const message = `${a} and ${b} are alternatives: give exactly one`;
      throw new ProblemError(422, "validation-failed", "Invalid request", `body: ${message}`, [
        { field: `body.${a}`, message },
        { field: `body.${b}`, message },
      ]);
    }
  };

export function reminderRoutes(sql: Sql) {
  const reminders = remindersService(sql);
  const actorOf = (userId: string, headers: Record<string, string | undefined>) => ({
    userId,
    trace: traceContext(headers),
  });

  return new Elysia({ tags: ["reminders"] })
    .use(authentication())
    .post(
      "/tasks/:id/reminders",
      ({ userId, params, body, headers, path }) =>
        oncePerKey(sql, { userId, key: headers["idempotency-key"], path, body }, async (tx) => ({
          status: 201,
          headers: {},
          body: await reminders.create(actorOf(userId, headers), params.id, body, tx),
        })),
      {
        params: IdParams,
        body: ReminderCreate,
        transform: oneOf("at", "before"),
        response: { 201: Reminder, ...errors },
        detail: {
          summary: "Add a reminder to a task",
          ...readsHeaders(HEADERS.idempotencyKey),
          description:
            "`at` fires at an instant; `before` fires that long before the task's due date (days are " +
            "calendar days in the task's time zone) and follows the due date when it moves. An instant " +
            "that has already passed is refused (422). A `before` reminder on a task without a due date " +
            "is accepted and stays unarmed (firesAt null) until the task gets one.",
        },
      },
    )
    .get("/tasks/:id/reminders", ({ userId, params }) => reminders.list(userId, params.id), {
      params: IdParams,
      response: { 200: Type.Array(Reminder), ...errors },
      detail: { summary: "A task's reminders, oldest first" },
    })
    .delete(
      "/tasks/:id/reminders/:reminderId",
      async ({ userId, params, headers }) => {
        await reminders.remove(actorOf(userId, headers), params.id, params.reminderId);
        return json(undefined, 204);
      },
      {
        params: ReminderParams,
        detail: { summary: "Delete a reminder (its pending occurrence is cancelled)" },
      },
    )
    .post(
      "/reminders/:id/snooze",
      ({ userId, params, body, headers }) => reminders.snooze(actorOf(userId, headers), params.id, body),
      {
        params: IdParams,
        body: ReminderSnooze,
        transform: oneOf("until", "for"),
        response: { 200: Reminder, ...errors },
        detail: {
          summary: "Fire a reminder again later",
          description:
            "`until` an instant, or `for` a duration from now. The snooze replaces the reminder's " +
            "instant until it passes; the task must be open (409 otherwise).",
        },
      },
    );
}
