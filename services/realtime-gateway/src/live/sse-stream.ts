import type { EndReason, Frame, Transport } from "../hub/frames.ts";

const encoder = new TextEncoder();

/** One SSE event: the id line lets EventSource send Last-Event-ID when it reconnects. */
function eventText(frame: Frame): string {
  const id = frame.type === "task.changed" ? `id: ${frame.id}\n` : "";
  return `${id}event: ${frame.type}\ndata: ${JSON.stringify(frame)}\n\n`;
}

/** The final event of a stream the gateway ends; EventSource then reconnects with Last-Event-ID. */
const FINAL: Partial<Record<EndReason, string>> = {
  restart: 'event: restart\ndata: {"reason":"service restart: reconnect"}\n\n',
  "history-unavailable": 'event: unavailable\ndata: {"reason":"history unavailable: reconnect"}\n\n',
};

/**
 * A Server-Sent Events stream as a Transport. The stream's queue is measured in bytes: what the
 * client has not read yet stays there, and past `maxQueuedBytes` the stream is ended (a slow
 * consumer gets no final event; its queue is dropped). Comment lines every `heartbeatMs` keep
 * proxies from closing a quiet stream and find dead peers.
 */
export function sseStream(options: { maxQueuedBytes: number; heartbeatMs: number; onClose: () => void }) {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let open = true;
  let heartbeat: Timer | undefined;
  const finish = () => {
    if (!open) return false;
    open = false;
    clearInterval(heartbeat);
    options.onClose();
    return true;
  };
  const enqueue = (text: string): boolean => {
    if (!open) return false;
    controller.enqueue(encoder.encode(text));
    return (controller.desiredSize ?? 0) >= 0;
  };
  const transport: Transport = {
    write: (frame) => enqueue(eventText(frame)),
    end(reason) {
      const final = FINAL[reason];
      if (final) enqueue(final);
      const wasOpen = finish();
      if (!wasOpen) return;
      if (final) controller.close();
      else controller.error(new Error(`stream ended: ${reason}`));
    },
  };
  const body = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
        // How long EventSource waits before reconnecting after the stream ends.
        c.enqueue(encoder.encode("retry: 1000\n\n"));
        heartbeat = setInterval(() => {
          if (!enqueue(": heartbeat\n\n")) transport.end("slow-consumer");
        }, options.heartbeatMs);
      },
      cancel() {
        finish();
      },
    },
    { highWaterMark: options.maxQueuedBytes, size: (chunk) => chunk?.byteLength ?? 0 },
  );
  return { body, transport };
}
