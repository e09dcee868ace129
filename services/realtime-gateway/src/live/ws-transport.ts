import type { ServerWebSocket } from "bun";
import { CLOSE, type EndReason, type Frame, type Transport } from "../hub/frames.ts";

/** A client that stops reading never reads our close frame either: cut it off after this. */
const CLOSE_GRACE_MS = 2000;

/**
 * A WebSocket as a Transport. Bun queues what the socket can't take yet and reports how much
 * (`getBufferedAmount`); over `maxQueuedBytes` the client is a slow consumer.
 */
export function webSocketTransport(ws: ServerWebSocket<unknown>, maxQueuedBytes: number): Transport {
  return {
    write(frame: Frame): boolean {
      // 0: dropped (over Bun's backpressureLimit); -1: queued behind unsent data.
      const status = ws.send(JSON.stringify(frame));
      return status !== 0 && ws.getBufferedAmount() <= maxQueuedBytes;
    },
    end(reason: EndReason): void {
      const { code, reason: text } = CLOSE[reason];
      ws.close(code, text);
      setTimeout(() => {
        if (ws.readyState !== WebSocket.CLOSED) ws.terminate();
      }, CLOSE_GRACE_MS).unref();
    },
  };
}
