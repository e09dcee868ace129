import { FaultQueue } from "./faults.ts";
import { IdempotencyLedger } from "./idempotency.ts";
import { type CapturedEmail, Inbox } from "./inbox.ts";
import { renderInboxPage } from "./inbox-page.ts";
import { errorResponse, type FaultStatus, isFaultStatus, resendError } from "./resend-errors.ts";
import { sendBatch } from "./send-batch.ts";
import { type SendState, type SendStats, sendEmail } from "./send-email.ts";

export interface MailCaptureOptions {
  /** 0 (the default) lets the OS pick a free port. */
  port?: number;
  hostname?: string;
  /** The clock for receivedAt and the 24 h idempotency window; tests move it forward. */
  now?: () => number;
}

export interface MailCapture {
  /** Base URL to give the SDK as RESEND_BASE_URL (no trailing slash: the SDK appends `/emails`). */
  url: string;
  port: number;
  /** Captured emails, oldest first. */
  emails(): CapturedEmail[];
  /** Forgets emails, idempotency keys, queued faults and counts: a fresh server. */
  clear(): void;
  /** The next sends (to `to` only, if given) fail with these statuses, in order. */
  injectFaults(statuses: FaultStatus[], to?: string): void;
  /** Requests (single or batch) that captured under this idempotency key; replays do not count. */
  acceptedSendsFor(idempotencyKey: string): number;
  stats(): SendStats;
  /** Holds the next valid send in flight, nothing captured yet; `arrived` resolves once it is held. */
  holdNextSend(): { arrived: Promise<void>; release: () => void };
  /** Holds the next valid send's answer: its emails are captured, the sender still waits to hear. */
  holdNextAnswer(): { arrived: Promise<void>; release: () => void };
  stop(): Promise<void>;
}

const ROUTED_PATHS = /^\/(emails(\/[^/]+)?|_control\/(faults|stats))?$/;

/** Resend's answers for a path it does not serve, and for a method a served path does not take. */
function unrouted(request: Request): Response {
  if (ROUTED_PATHS.test(new URL(request.url).pathname)) {
    return errorResponse(
      resendError(405, "method_not_allowed", "Method is not allowed for the requested path."),
    );
  }
  return errorResponse(resendError(404, "not_found", "The requested endpoint does not exist."));
}

export async function startMailCapture(options: MailCaptureOptions = {}): Promise<MailCapture> {
  const now = options.now ?? Date.now;
  const state: SendState = {
    inbox: new Inbox(),
    ledger: new IdempotencyLedger(now),
    faults: new FaultQueue(),
    stats: emptyStats(),
    holds: [],
    now,
  };
  const hold = (stage: "request" | "answer") => {
    const arrived = Promise.withResolvers<void>();
    const released = Promise.withResolvers<void>();
    state.holds.push({ stage, arrived: arrived.resolve, released: released.promise });
    return { arrived: arrived.promise, release: released.resolve };
  };
  const clear = () => {
    state.inbox.clear();
    state.ledger.clear();
    state.faults.clear();
    state.stats = emptyStats();
  };

  const server = Bun.serve({
    port: options.port ?? 0,
    hostname: options.hostname ?? "127.0.0.1",
    routes: {
      "/": {
        GET: () =>
          new Response(renderInboxPage(state.inbox.all()), {
            // Belt and braces: captured mail never gets to run script in the developer's browser.
            headers: {
              "content-type": "text/html; charset=utf-8",
              "content-security-policy": "script-src 'none'",
            },
          }),
      },
      "/emails": {
        POST: (request) => sendEmail(request, state),
        GET: () => Response.json(state.inbox.all()),
        DELETE: () => {
          clear();
          return new Response(null, { status: 204 });
        },
      },
      "/emails/batch": { POST: (request) => sendBatch(request, state) },
      "/emails/:id": {
        GET: (request) => {
          const email = state.inbox.byId(request.params.id);
          return email
            ? Response.json(email)
            : errorResponse(resendError(404, "not_found", "Email not found"));
        },
      },
      "/_control/faults": {
        POST: async (request) => {
          const body: unknown = await request.json().catch(() => undefined);
          const { statuses, to } = (body ?? {}) as { statuses?: unknown; to?: unknown };
          if (
            !Array.isArray(statuses) ||
            !statuses.every(isFaultStatus) ||
            !(to === undefined || typeof to === "string")
          ) {
            const message = 'Expected { "statuses": [422 | 429 | 500, ...], "to"?: "address" }.';
            return errorResponse(resendError(400, "validation_error", message));
          }
          state.faults.enqueue(statuses, to);
          return Response.json({ queued: statuses.length });
        },
      },
      "/_control/stats": { GET: () => Response.json(state.stats) },
    },
    fetch: unrouted,
  });
  const port = server.port;
  if (port === undefined) throw new Error("mail capture server has no port");

  return {
    url: `http://${server.hostname}:${port}`,
    port,
    emails: () => state.inbox.all(),
    clear,
    injectFaults: (statuses, to) => state.faults.enqueue(statuses, to),
    acceptedSendsFor: (key) => state.ledger.acceptedSendsFor(key),
    stats: () => structuredClone(state.stats),
    holdNextSend: () => hold("request"),
    holdNextAnswer: () => hold("answer"),
    stop: () => server.stop(true),
  };
}

function emptyStats(): SendStats {
  return { received: 0, accepted: 0, replayed: 0, rejected: {}, emails: 0 };
}
