import type { LiveMessage } from "@nudge/contracts";
import { waitFor } from "@nudge/testing";
import { tokenFor } from "../task-api/fixture.ts";

/** What a client received, with the time it arrived (performance.now()). */
export interface Received {
  frame: { type: string; id?: string; [key: string]: unknown };
  at: number;
}

/**
 * A WebSocket client as a browser would open it: the token as the subprotocol bearer.<token>
 * beside nudge.v1. Records every frame and how the connection ended.
 */
export async function openWebSocket(url: string, user: string, options: { since?: string } = {}) {
  const token = await tokenFor(user);
  const target = options.since ? `${url}?since=${options.since}` : url;
  const ws = new WebSocket(target, ["nudge.v1", `bearer.${token}`]);
  const received: Received[] = [];
  let closed: { code: number; reason: string } | undefined;
  ws.onmessage = (event) => received.push({ frame: JSON.parse(String(event.data)), at: performance.now() });
  ws.onclose = (event) => {
    closed = { code: event.code, reason: event.reason };
  };
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error(`WebSocket to ${url} failed`));
  });
  const changes = () => received.filter((r) => r.frame.type === "task.changed");
  const client = {
    ws,
    received,
    protocol: ws.protocol,
    changes,
    ids: () => changes().map((r) => r.frame.id as string),
    closed: () => closed,
    /** The `ready` frame: the replay (if any) is done and the client is live. */
    ready: () =>
      waitFor("the ready frame", () => received.find((r) => r.frame.type === "ready"), { intervalMs: 10 }),
    waitForChanges: (count: number, timeoutMs = 30_000) =>
      waitFor(`${count} changes on ${user}'s socket`, () => changes().length >= count && changes(), {
        timeoutMs,
        intervalMs: 2,
      }),
    waitForClose: (timeoutMs = 30_000) =>
      waitFor("the socket to close", () => closed, { timeoutMs, intervalMs: 10 }),
    close: () => ws.close(1000),
  };
  await client.ready();
  return client;
}

export type LiveClient = Awaited<ReturnType<typeof openWebSocket>>;

/** An SSE client with Authorization and, on resume, Last-Event-ID; parses the event stream. */
export async function openEventStream(baseUrl: string, user: string, lastEventId?: string) {
  const abort = new AbortController();
  const headers: Record<string, string> = { authorization: `Bearer ${await tokenFor(user)}` };
  if (lastEventId) headers["last-event-id"] = lastEventId;
  const response = await fetch(`${baseUrl}/realtime/sse`, { headers, signal: abort.signal });
  if (response.status !== 200 || !response.body) throw new Error(`SSE answered ${response.status}`);
  const events: { id?: string; event: string; data: LiveMessage | Record<string, unknown> }[] = [];
  const comments: string[] = [];
  let ended = false;
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end = buffer.indexOf("\n\n");
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields: Record<string, string> = {};
          for (const line of block.split("\n")) {
            if (line.startsWith(":")) comments.push(line);
            const colon = line.indexOf(": ");
            if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 2);
          }
          if (fields.event && fields.data) {
            events.push({ id: fields.id, event: fields.event, data: JSON.parse(fields.data) });
          }
          end = buffer.indexOf("\n\n");
        }
      }
    } catch {
      // aborted by the test
    }
    ended = true;
  })();
  const changes = () => events.filter((e) => e.event === "task.changed");
  return {
    events,
    comments,
    changes,
    ended: () => ended,
    waitForChanges: (count: number, timeoutMs = 30_000) =>
      waitFor(`${count} SSE changes`, () => changes().length >= count && changes(), {
        timeoutMs,
        intervalMs: 5,
      }),
    waitForEvent: (name: string, timeoutMs = 30_000) =>
      waitFor(`an SSE ${name} event`, () => events.find((e) => e.event === name), {
        timeoutMs,
        intervalMs: 5,
      }),
    close: () => abort.abort(),
  };
}
