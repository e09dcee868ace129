import { type JwtSettings, jwtEnv, jwtSettings } from "@nudge/http";
import { parseEnv, type ServiceConfig, serviceConfig, serviceEnv } from "@nudge/service";
import { Type } from "@sinclair/typebox";

/**
 * Every environment variable realtime-gateway reads. It keeps no tables: live events come from
 * its sidecar (`pubsub-live`, one consumer group per replica), the gap a client missed from
 * audit-service's history through service invocation.
 */
const Env = Type.Object({
  ...serviceEnv({ port: 3004 }),
  // The same token verification in every service with a public API: one identity provider.
  ...jwtEnv(),
  AUDIT_APP_ID: Type.String({ default: "audit-service" }),
  /** At most this many missed messages are replayed on resume; beyond it the client is told to resync. */
  REALTIME_REPLAY_LIMIT: Type.Integer({ minimum: 1, maximum: 5000, default: 500 }),
  /** Bytes a connection may have waiting to be written before it counts as a slow consumer and is closed. */
  REALTIME_MAX_QUEUED_BYTES: Type.Integer({ minimum: 1024, default: 1024 * 1024 }),
  /** SSE comment lines every this many seconds keep proxies from closing a quiet stream. */
  REALTIME_HEARTBEAT_SECONDS: Type.Number({ minimum: 0.05, maximum: 300, default: 15 }),
  /** A WebSocket that answers no ping (nor sends anything) for this long is closed. */
  REALTIME_IDLE_TIMEOUT_SECONDS: Type.Integer({ minimum: 8, maximum: 960, default: 45 }),
  /** Recent events kept to close the seam between replay and live (and to drop redeliveries). */
  REALTIME_RECENT_EVENTS: Type.Integer({ minimum: 100, maximum: 1_000_000, default: 20_000 }),
});

export interface Config extends ServiceConfig {
  jwt: JwtSettings;
  auditAppId: string;
  replayLimit: number;
  maxQueuedBytes: number;
  heartbeatMs: number;
  idleTimeoutSeconds: number;
  recentEvents: number;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const e = parseEnv(Env, env);
  return {
    ...serviceConfig(e),
    jwt: jwtSettings(e),
    auditAppId: e.AUDIT_APP_ID,
    replayLimit: e.REALTIME_REPLAY_LIMIT,
    maxQueuedBytes: e.REALTIME_MAX_QUEUED_BYTES,
    heartbeatMs: Math.round(e.REALTIME_HEARTBEAT_SECONDS * 1000),
    idleTimeoutSeconds: e.REALTIME_IDLE_TIMEOUT_SECONDS,
    recentEvents: e.REALTIME_RECENT_EVENTS,
  };
}
