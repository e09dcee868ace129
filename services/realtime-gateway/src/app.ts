import { type Sidecar, sidecarReady } from "@nudge/dapr";
import {
  type AccessPolicy,
  apiDocs,
  bearerToken,
  boundary,
  PUBLIC_API_PATHS,
  SERVE_OPTIONS,
} from "@nudge/http";
import type { Logger } from "@nudge/service";
import { Elysia } from "elysia";
import { liveMessageOf } from "./events/task-update.ts";
import type { Hub } from "./hub/hub.ts";
import { refuseTokenInUrl, webSocketToken } from "./live/request.ts";
import { type LiveDeps, liveRoutes } from "./live/routes.ts";

export interface AppDeps extends LiveDeps {
  hub: Hub;
  sidecar: Sidecar;
  appApiToken?: string;
  /** False while shutting down: the load balancer stops sending new clients. */
  accepting: () => boolean;
  idleTimeoutSeconds: number;
  log: Logger;
}

/** realtime-gateway's HTTP surface: health, the task-updates its sidecar delivers, the live endpoints. */
export function buildApp(deps: AppDeps) {
  const { hub, log } = deps;
  const access: AccessPolicy = {
    verify: deps.verify,
    public: [...PUBLIC_API_PATHS, "/dapr/"],
    sidecar: ["/events/"],
    appApiToken: deps.appApiToken,
    // A token in the URL is refused first, whatever else the request carries (URLs are
    // logged); browsers cannot set headers on a WebSocket, so its token may be a subprotocol.
    userToken: (request, path) => {
      refuseTokenInUrl(Object.fromEntries(new URL(request.url).searchParams));
      return path === "/realtime/ws"
        ? webSocketToken(Object.fromEntries(request.headers))
        : bearerToken(request.headers.get("authorization") ?? undefined);
    },
  };
  return new Elysia({
    normalize: false,
    serve: SERVE_OPTIONS,
    websocket: {
      // Bun pings a quiet client shortly before this and closes it if nothing comes back.
      idleTimeout: deps.idleTimeoutSeconds,
      sendPings: true,
      // Our own bound (maxQueuedBytes) closes a slow consumer first; Bun's is a backstop.
      backpressureLimit: deps.maxQueuedBytes * 2,
      closeOnBackpressureLimit: true,
      // Compression costs CPU per message and per-connection memory; messages are small.
      perMessageDeflate: false,
      maxPayloadLength: 4096,
    },
  })
    .use(boundary({ log, ...access }))
    .use(
      apiDocs({
        title: "Nudge live API",
        version: "1.0.0",
        description:
          "A user's task changes as they happen, over Server-Sent Events or a WebSocket (subprotocol nudge.v1), after a replay of what they missed.",
        access,
        exclude: [/^\/(events|dapr)(\/|$)/],
      }),
    )
    .get("/healthz", () => ({ status: "ok" }))
    .get("/readyz", async ({ set }) => {
      const dapr = await sidecarReady(deps.sidecar);
      const accepting = deps.accepting();
      if (!dapr || !accepting) set.status = 503;
      return {
        status: dapr && accepting ? "ready" : "not ready",
        dapr,
        accepting,
        connections: hub.connections,
      };
    })
    .post(
      "/events/task-updates",
      ({ body }) => {
        const live = liveMessageOf(body);
        if (!live) {
          // Retrying can't fix it, and a live view loses nothing it can't reload: drop it.
          log.warn("dropping a malformed task-updates event", { id: (body as { id?: unknown })?.id });
          return { status: "DROP" };
        }
        hub.publish(live.userId, live.message);
        return { status: "SUCCESS" };
      },
      { parse: "json" },
    )
    .use(liveRoutes(deps));
}

export type RealtimeApp = ReturnType<typeof buildApp>;
