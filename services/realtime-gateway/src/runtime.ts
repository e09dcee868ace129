import { tokenVerifier } from "@nudge/http";
import { createLogger, type Logger } from "@nudge/service";
import { buildApp } from "./app.ts";
import type { Config } from "./config.ts";
import { Hub } from "./hub/hub.ts";
import { auditHistory } from "./replay/history.ts";

/** Wires the service: the hub of connections, the history it replays from, the HTTP app. */
export function createRealtimeGateway(
  config: Config,
  log: Logger = createLogger("realtime-gateway", config.logLevel),
) {
  const hub = new Hub(config.recentEvents);
  const history = auditHistory(config.sidecar, config.auditAppId, config.replayLimit);
  let accepting = true;
  const app = buildApp({
    hub,
    sidecar: config.sidecar,
    appApiToken: config.appApiToken,
    verify: tokenVerifier(config.jwt),
    missed: (userId, since) => hub.missed(userId, since, history, config.replayLimit),
    maxQueuedBytes: config.maxQueuedBytes,
    heartbeatMs: config.heartbeatMs,
    maxPending: config.replayLimit * 4,
    accepting: () => accepting,
    idleTimeoutSeconds: config.idleTimeoutSeconds,
    log,
  });
  return {
    app,
    hub,
    listen() {
      app.listen({ port: config.port, hostname: config.host });
    },
    /**
     * Tell every client to reconnect (WebSocket close 1012, SSE a final `restart` event) — they
     * resume elsewhere from their last event id — then stop the server.
     */
    async stop() {
      accepting = false;
      hub.endAll("restart");
      // Close frames and final events are written before the server cuts what is left.
      const server = app.server;
      await Promise.race([server?.stop(false), Bun.sleep(2000)]);
      await server?.stop(true);
    },
  };
}

export type RealtimeGateway = ReturnType<typeof createRealtimeGateway>;
