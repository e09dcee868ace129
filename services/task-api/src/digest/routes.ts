import {
  DigestClaimed,
  DigestContents,
  DigestDue,
  InternalDigestDue,
  InternalDigestRefs,
  Problem,
} from "@nudge/contracts";
import type { Sql } from "@nudge/db";
import { Elysia } from "elysia";
import type { LinkMinter } from "../links/mint.ts";
import { digestService } from "./service.ts";

/** The daily digest's internal routes (notification-service, through Dapr service invocation). */
/** Under /internal/: the boundary admits only calls through our Dapr sidecar (app.ts). */
export function digestRoutes(sql: Sql, minter: LinkMinter) {
  const digests = digestService(sql, minter);
  return new Elysia({ prefix: "/internal/digests", tags: ["internal"] })
    .post("/due", ({ body }) => digests.due(new Date(body.before), body.limit), {
      body: InternalDigestDue,
      response: { 200: DigestDue, 403: Problem, 422: Problem },
      detail: { summary: "Users whose digest is due by an instant, oldest first (reads only)" },
    })
    .post("/claimed", async ({ body }) => ({ advanced: await digests.claimed(body.items) }), {
      body: InternalDigestRefs,
      response: { 200: DigestClaimed, 403: Problem, 422: Problem },
      detail: { summary: "These digests are recorded: move each user's next digest to a later local day" },
    })
    .post("/contents", async ({ body }) => ({ items: await digests.contents(body.items) }), {
      body: InternalDigestRefs,
      response: { 200: DigestContents, 403: Problem, 422: Problem },
      detail: {
        summary: "What each digest lists (overdue at its instant, due later that day), with signed links",
      },
    });
}
