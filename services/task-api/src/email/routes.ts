import type { Sql } from "@nudge/db";
import { ProblemError } from "@nudge/http";
import { Type } from "@sinclair/typebox";
import { Elysia } from "elysia";
import type { LinkKeys } from "../links/links.ts";
import type { LinkMinter } from "../links/mint.ts";
import { checkLink } from "../links/verify.ts";
import { loadTask } from "../tasks/service.ts";
import { emailActions } from "./actions.ts";
import { taskCalendar } from "./calendar.ts";
import { PAGE_HEADERS, pageResponse } from "./pages.ts";
import { emailSubscription } from "./subscription.ts";
import { refusedLink } from "./task-pages.ts";

/** Everything under /email/ is a page a person opens from an email: errors are pages too (app.ts). */
export const EMAIL_PAGE_PATHS = ["/email/"];

const Token = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 1024, description: "The signed link from the email." }) },
  { additionalProperties: false },
);

const html = (description: string) => ({
  description,
  content: { "text/html": { schema: { type: "string" as const } } },
});
const REFUSALS = {
  400: html("The link is damaged or incomplete"),
  403: html("The link was altered, or signed with a key that is no longer accepted"),
  404: html("The task or reminder is gone, or the link is for another page"),
  405: html("This link only shows the task"),
  409: html("Already used, already done, or the task changed since the email: nothing was changed"),
  410: html("The link has expired"),
  413: html("The body is larger than 64 KiB"),
  415: html("The body is not application/x-www-form-urlencoded"),
  422: html("A field of the form is invalid: the form again, with the message, nothing saved"),
};
type Refusal = keyof typeof REFUSALS;
/** Every outcome is a page; the status says which kind. Each route lists the ones it can give. */
const publicPage = (summary: string, description: string, ok: string, statuses: Refusal[]) => ({
  summary,
  description,
  security: [],
  responses: { 200: html(ok), ...Object.fromEntries(statuses.map((status) => [status, REFUSALS[status]])) },
});
const LINK: Refusal[] = [400, 403, 404, 410];
/** What a form post can get besides: the boundary reads page bodies as forms, strictly. */
const POSTED: Refusal[] = [...LINK, 413, 415];

const SettingsForm = Type.Object(
  {
    email: Type.Optional(Type.String({ maxLength: 254 })),
    timeZone: Type.Optional(Type.String({ maxLength: 64 })),
    reminderEmails: Type.Optional(Type.String({ maxLength: 10 })),
    digestEnabled: Type.Optional(Type.String({ maxLength: 10 })),
    digestTime: Type.Optional(Type.String({ maxLength: 10 })),
  },
  { additionalProperties: false },
);
const OneClick = Type.Object(
  { "List-Unsubscribe": Type.Optional(Type.String({ maxLength: 20 })) },
  { additionalProperties: false },
);

/**
 * The pages email links lead to, on PUBLIC_BASE_URL: no login — the signed link is the grant.
 * GET shows and never changes anything (mail scanners and link previews fetch every link);
 * POST acts, through the same services as the REST API.
 */
export function emailRoutes(sql: Sql, keys: LinkKeys, minter: LinkMinter, snoozeSeconds: number) {
  const actions = emailActions(sql, keys, minter, snoozeSeconds);
  const subscription = emailSubscription(sql, keys);
  return new Elysia({ prefix: "/email", tags: ["email links"] })
    .get("/links/:token", async ({ params }) => pageResponse(await actions.view(params.token)), {
      params: Token,
      detail: publicPage(
        "What a link from an email does",
        "Shows the task and one button that POSTs the link's action (mark done, snooze, undo); an Open link shows the task. Changes nothing.",
        "The task and the action's button",
        [...LINK, 409],
      ),
    })
    .post(
      "/links/:token",
      async ({ params, headers }) => pageResponse(await actions.act(params.token, headers.traceparent)),
      {
        params: Token,
        detail: publicPage(
          "Do a link's action, once",
          "Marks the task done, snoozes the reminder (or adds one) or reopens the task, exactly as the REST API would. A second use, an expired, altered or foreign link, or a task that changed since the email, changes nothing and says so.",
          "What happened, with Undo where it makes sense",
          [...POSTED, 405, 409],
        ),
      },
    )
    .get(
      "/links/:token/task.ics",
      async ({ params }) => {
        const check = checkLink(keys, params.token, ["open"]);
        if (!check.valid) return pageResponse(refusedLink(check.reason));
        const { userId, taskId = "" } = check.claims;
        const task = await loadTask(sql, userId, taskId).catch((error) => {
          if (error instanceof ProblemError && error.status === 404) return undefined;
          throw error;
        });
        if (!task?.dueAt) {
          throw new ProblemError(
            404,
            "not-found",
            "No due time",
            task ? "This task has no due time." : "This task doesn't exist any more.",
          );
        }
        return new Response(taskCalendar(task, minter.again(check.claims)), {
          headers: {
            "content-type": "text/calendar; charset=utf-8; method=PUBLISH",
            "content-disposition": 'attachment; filename="task.ics"',
            "cache-control": "no-store",
            "referrer-policy": PAGE_HEADERS["referrer-policy"],
          },
        });
      },
      {
        params: Token,
        detail: {
          ...publicPage(
            "The task's due time as an iCalendar file",
            "For an Open link of a task with a due date.",
            "",
            LINK,
          ),
          responses: {
            ...publicPage("", "", "", LINK).responses,
            200: {
              description: "An iCalendar (RFC 5545) event at the due time",
              content: { "text/calendar": { schema: { type: "string" as const } } },
            },
          },
        },
      },
    )
    .get(
      "/settings/:token",
      async ({ params }) => pageResponse(await subscription.viewSettings(params.token)),
      {
        params: Token,
        detail: publicPage(
          "Email settings",
          "Reminder emails on/off, the address, the time zone and the daily digest.",
          "The settings form",
          LINK,
        ),
      },
    )
    .post(
      "/settings/:token",
      async ({ params, body }) => pageResponse(await subscription.saveSettings(params.token, body ?? {})),
      {
        params: Token,
        body: SettingsForm,
        detail: publicPage(
          "Save email settings",
          "The same change as PATCH /me/preferences.",
          "Saved; the form again",
          [...POSTED, 422],
        ),
      },
    )
    .get(
      "/unsubscribe/:token",
      async ({ params }) => pageResponse(await subscription.viewUnsubscribe(params.token)),
      {
        params: Token,
        detail: publicPage(
          "Unsubscribe: the page behind the List-Unsubscribe link",
          "Shows a button; changes nothing.",
          "The unsubscribe button",
          LINK,
        ),
      },
    )
    .post(
      "/unsubscribe/:token",
      async ({ params }) => pageResponse(await subscription.unsubscribe(params.token)),
      {
        params: Token,
        // RFC 8058 fixes the body (List-Unsubscribe=One-Click); it is read (strictly, as a form) but not needed.
        detail: {
          ...publicPage(
            "One-click unsubscribe (RFC 8058)",
            "The List-Unsubscribe-Post target: turns reminder emails (or the digest) off with no login and no confirmation. In-app notifications continue. The body, when there is one, is a form.",
            "Unsubscribed, with Undo",
            POSTED,
          ),
          requestBody: {
            required: false,
            content: { "application/x-www-form-urlencoded": { schema: OneClick } },
          },
        },
      },
    )
    .post(
      "/unsubscribe/:token/undo",
      async ({ params }) => pageResponse(await subscription.unsubscribe(params.token, true)),
      {
        params: Token,
        detail: publicPage("Undo an unsubscribe", "Turns those emails back on.", "Subscribed again", POSTED),
      },
    );
}
