import {
  Id,
  InternalNotificationBatch,
  InternalNotificationCreate,
  InternalOccurrenceCreate,
  InternalOccurrenceLookup,
  InternalSeriesEnd,
  InternalTaskCreate,
  Notification,
  NotificationBatchResult,
  OccurrenceLookup,
  Problem,
  ReminderWithOwner,
  SeriesView,
  Task,
  TaskWithOwner,
  Text,
} from "@nudge/contracts";
import type { Sql } from "@nudge/db";
import { traceContext } from "@nudge/http";
import { Type } from "@sinclair/typebox";
import { Elysia } from "elysia";
import { json, oncePerKey } from "../http/respond.ts";
import type { LinkMinter } from "../links/mint.ts";
import { notificationsService } from "../notifications/service.ts";
import { seriesService } from "../series/service.ts";
import { etagOf } from "../tasks/model.ts";
import { type LinksOf, remindersService } from "../tasks/reminders/service.ts";
import { tasksService } from "../tasks/service.ts";
import { recipient } from "../users/service.ts";

/**
 * Routes other services reach through Dapr service invocation only. The sidecar adds the
 * `dapr-api-token` header (its APP_API_TOKEN) to every call it forwards, so a request without
 * it did not come through the sidecar: the boundary's access policy (app.ts) refuses it before
 * anything reads the request. With no token configured, the routes refuse everything.
 */
export function internalRoutes(sql: Sql, minter: LinkMinter) {
  const tasks = tasksService(sql);
  const reminders = remindersService(sql);
  const notifications = notificationsService(sql);
  const series = seriesService(sql);
  const SeriesParams = Type.Object({ id: Id });
  /** The signed links the email of this occurrence carries (none while it is not armed). */
  const withLinks = (view: ReminderWithOwner): ReminderWithOwner => {
    const { reminder, task, owner } = view;
    const links =
      reminder.occurrenceKey && reminder.firesAt
        ? minter.forReminder(
            owner.userId,
            task,
            { id: reminder.id, occurrenceKey: reminder.occurrenceKey },
            new Date(reminder.firesAt),
          )
        : null;
    return { ...view, links };
  };
  const linksOf: LinksOf = (userId, task, { id, occurrenceKey, firesAt }) =>
    minter.forReminder(userId, task, { id, occurrenceKey }, firesAt);
  return new Elysia({ prefix: "/internal", tags: ["internal"] })
    .get(
      "/tasks/:id/owner/:userId",
      async ({ params }) => ({
        task: await tasks.get(params.userId, params.id),
        owner: await recipient(sql, params.userId),
      }),
      {
        params: Type.Object({
          id: Id,
          userId: Text({ minLength: 1, maxLength: 200 }),
        }),
        response: { 200: TaskWithOwner, 403: Problem, 404: Problem },
        detail: { summary: "A task with its owner's preferences (for reminder delivery)" },
      },
    )
    .post(
      "/tasks",
      ({ body, path, headers }) =>
        oncePerKey(
          sql,
          { userId: body.userId, key: body.idempotencyKey, path, body: body.task },
          async (tx) => {
            const task = await tasks.create(
              { userId: body.userId, trace: traceContext(headers) },
              body.task,
              tx,
            );
            return { status: 201, headers: { etag: etagOf(task.version) }, body: task };
          },
        ),
      {
        body: InternalTaskCreate,
        response: { 201: Task, 403: Problem, 422: Problem },
        detail: { summary: "Create a task for a user, once per idempotency key (next occurrences)" },
      },
    )
    .get("/series/:id", ({ params }) => series.view(params.id), {
      params: SeriesParams,
      response: { 200: SeriesView, 403: Problem, 404: Problem },
      detail: { summary: "A series' rule, anchor, zone, mode and state (for the nextOccurrence workflow)" },
    })
    .post(
      "/series/:id/occurrences",
      async ({ params, body, headers }) => {
        const { task, created } = await series.createOccurrence(params.id, body, traceContext(headers));
        return json(task, created ? 201 : 200, {
          etag: etagOf(task.version),
          ...(created ? {} : { "idempotent-replayed": "true" }),
        });
      },
      {
        params: SeriesParams,
        body: InternalOccurrenceCreate,
        response: { 200: Task, 201: Task, 403: Problem, 404: Problem, 409: Problem, 422: Problem },
        detail: { summary: "Create a series' next occurrence, once per (series, occurrence index)" },
      },
    )
    .post(
      "/series/:id/end",
      ({ params, body, headers }) => series.end(params.id, body.lastTaskId, traceContext(headers)),
      {
        params: SeriesParams,
        body: InternalSeriesEnd,
        response: { 200: SeriesView, 403: Problem, 404: Problem },
        detail: { summary: "Mark a series ended (COUNT/UNTIL reached); announced once" },
      },
    )
    .get("/reminders/:id", async ({ params }) => withLinks(await reminders.withOwner(params.id)), {
      params: Type.Object({ id: Id }),
      response: { 200: ReminderWithOwner, 403: Problem, 404: Problem },
      detail: { summary: "A reminder with its task and owner (is this occurrence still current?)" },
    })
    .post(
      "/notifications",
      async ({ body }) => {
        const { notification, created } = await notifications.record(body);
        // Like an Idempotency-Key replay: the same answer, marked as a repeat.
        return json(notification, 201, created ? {} : { "idempotent-replayed": "true" });
      },
      {
        body: InternalNotificationCreate,
        response: { 201: Notification, 403: Problem, 422: Problem },
        detail: { summary: "Record a delivery's in-app notification, once per deliveryId" },
      },
    )
    .post("/reminders/lookup", ({ body }) => reminders.lookupOccurrences(body.occurrences, linksOf), {
      body: InternalOccurrenceLookup,
      response: { 200: OccurrenceLookup, 403: Problem, 422: Problem },
      detail: { summary: "A chunk's occurrences: each reminder's current key, its task and owner" },
    })
    .post("/notifications/batch", ({ body }) => notifications.recordBatch(body.notifications), {
      body: InternalNotificationBatch,
      response: { 200: NotificationBatchResult, 403: Problem, 422: Problem },
      detail: { summary: "Record a chunk's in-app notifications, each once per deliveryId" },
    });
}
