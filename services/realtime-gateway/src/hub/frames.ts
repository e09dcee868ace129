import type { LiveMessage } from "@nudge/contracts";

/**
 * What a client receives: task changes (`LiveMessage`, carrying the event id to resume from)
 * and two control messages. `ready` follows the replay, so a client knows it is now live;
 * `resync` says the gap was larger than the replay limit: reload from the REST API.
 */
export type Frame = LiveMessage | { type: "ready"; replayed: number } | { type: "resync"; reason: string };

/** Why the gateway ends a connection; each transport maps it to its own signal. */
export type EndReason = "slow-consumer" | "restart" | "history-unavailable";

/** One client connection, whatever the protocol. */
export interface Transport {
  /** Queue one frame; false when the client is over its bound of unsent bytes. */
  write(frame: Frame): boolean;
  end(reason: EndReason): void;
}

/** WebSocket close codes (RFC 6455 §7.4.1) and reasons, also used in logs. */
export const CLOSE: Record<EndReason, { code: number; reason: string }> = {
  "slow-consumer": { code: 1008, reason: "slow consumer: too many unsent messages" },
  restart: { code: 1012, reason: "service restart: reconnect with since=<last id>" },
  "history-unavailable": { code: 1013, reason: "history unavailable: retry with since=<last id>" },
};
