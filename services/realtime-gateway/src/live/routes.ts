import { userOf, type VerifyToken } from "@nudge/http";
import type { Logger } from "@nudge/service";
import { Type } from "@sinclair/typebox";
import type { ServerWebSocket } from "bun";
import { Elysia } from "elysia";
import type { Transport } from "../hub/frames.ts";
import type { Hub } from "../hub/hub.ts";
import { LiveSession, type Missed } from "../hub/session.ts";
import { PROTOCOL, refuseTokenInUrl, resumeFrom, SINCE_PATTERN } from "./request.ts";
import { sseStream } from "./sse-stream.ts";
import { webSocketTransport } from "./ws-transport.ts";

export interface LiveDeps {
  hub: Hub;
  verify: VerifyToken;
  /** The gap a user missed after an event id (audit history + recent events). */
  missed: (userId: string, since: string) => Promise<Missed>;
  maxQueuedBytes: number;
  heartbeatMs: number;
  /** Live events that may wait while a replay runs, per connection. */
  maxPending: number;
  log: Logger;
}

const LiveQuery = Type.Object(
  { since: Type.Optional(Type.String({ pattern: SINCE_PATTERN, description: "The last event id seen." })) },
  { additionalProperties: false },
);

/**
 * `/realtime/ws` (WebSocket) and `/realtime/sse` (Server-Sent Events): a user's task changes as
 * they happen, after a replay of what they missed. The ingress sends `/realtime` here.
 */
export function liveRoutes(deps: LiveDeps) {
  const { hub, log } = deps;
  const open = (userId: string, transport: Transport, since: string | undefined) => {
    const session = new LiveSession(userId, transport, deps.maxPending);
    hub.add(session);
    void session.start(since, (after) => deps.missed(userId, after));
    return session;
  };
  const sessions = new Map<string, LiveSession>();

  const webSocket = new Elysia({ prefix: "/realtime" })
    .onTransform(({ query }) => refuseTokenInUrl(query))
    // The boundary authenticated the upgrade request (Authorization or the bearer.<token>
    // subprotocol) before routing: a refused client gets problem+json, never a socket.
    .resolve(({ request, headers, set }) => {
      const userId = userOf(request);
      // Answer the subprotocol the client offered beside its token, never the token itself.
      if (headers["sec-websocket-protocol"]) set.headers["sec-websocket-protocol"] = PROTOCOL;
      return { userId };
    })
    .ws("/ws", {
      query: LiveQuery,
      detail: { summary: "Live task changes over a WebSocket (subprotocol nudge.v1)" },
      open(ws) {
        // Elysia's copy of Bun's socket type lacks getBufferedAmount; the object is Bun's own.
        const transport = webSocketTransport(ws.raw as unknown as ServerWebSocket, deps.maxQueuedBytes);
        sessions.set(ws.id, open(ws.data.userId, transport, ws.data.query.since?.toLowerCase()));
      },
      close(ws, code) {
        const session = sessions.get(ws.id);
        sessions.delete(ws.id);
        if (!session) return;
        session.closed();
        hub.remove(session);
        if (session.ended === "slow-consumer") {
          log.warn("slow consumer disconnected", { userId: session.userId, code });
        }
      },
      // Clients have nothing to say (liveness is protocol-level ping/pong); messages are ignored.
      message() {},
    });

  const serverSentEvents = new Elysia({ prefix: "/realtime" })
    .onTransform(({ query }) => refuseTokenInUrl(query))
    .get(
      "/sse",
      ({ request, headers, query }) => {
        const userId = userOf(request);
        const since = resumeFrom(headers["last-event-id"], query.since);
        let session: LiveSession | undefined;
        const stream = sseStream({
          maxQueuedBytes: deps.maxQueuedBytes,
          heartbeatMs: deps.heartbeatMs,
          onClose: () => {
            if (!session) return;
            session.closed();
            hub.remove(session);
            if (session.ended === "slow-consumer") log.warn("slow consumer disconnected", { userId });
          },
        });
        session = open(userId, stream.transport, since);
        return new Response(stream.body, {
          headers: {
            "content-type": "text/event-stream",
            "cache-control": "no-store",
            // nginx (the ingress controller) must not buffer the stream.
            "x-accel-buffering": "no",
          },
        });
      },
      { query: LiveQuery, detail: { summary: "Live task changes as Server-Sent Events" } },
    );

  return new Elysia({ name: "live", tags: ["realtime"] }).use(webSocket).use(serverSentEvents);
}
