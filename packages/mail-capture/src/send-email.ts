import type { FaultQueue } from "./faults.ts";
import { fingerprintOf, type IdempotencyLedger } from "./idempotency.ts";
import type { Inbox } from "./inbox.ts";
import { errorResponse, FAULTS, type ResendError, resendError } from "./resend-errors.ts";
import { isError, parseSendRequest } from "./send-request.ts";

export interface SendStats {
  /** Every POST /emails, whatever became of it. */
  received: number;
  /** Sends that captured a new email. */
  accepted: number;
  /** Repeats of an idempotency key answered with the first response, capturing nothing. */
  replayed: number;
  /** Error responses, counted by HTTP status. */
  rejected: Record<string, number>;
}

/** Lets a test hold one accepted send in flight until it releases it. */
export interface SendHold {
  arrived: () => void;
  released: Promise<void>;
}

export interface SendState {
  inbox: Inbox;
  ledger: IdempotencyLedger<{ id: string }>;
  faults: FaultQueue;
  stats: SendStats;
  holds: SendHold[];
  now: () => number;
}

/** POST /emails: Resend's send, answered from memory. */
export async function sendEmail(request: Request, state: SendState): Promise<Response> {
  state.stats.received++;
  const outcome = await answer(request, state);
  if ("error" in outcome) {
    const { error, headers } = outcome;
    state.stats.rejected[error.statusCode] = (state.stats.rejected[error.statusCode] ?? 0) + 1;
    return errorResponse(error, headers);
  }
  state.stats[outcome.replayed ? "replayed" : "accepted"]++;
  return Response.json(outcome.body);
}

type Outcome =
  | { error: ResendError; headers?: Record<string, string> }
  | { body: { id: string }; replayed: boolean };

async function answer(request: Request, state: SendState): Promise<Outcome> {
  if (!/^Bearer\s+\S+$/i.test(request.headers.get("authorization") ?? "")) {
    return { error: resendError(401, "missing_api_key", "Missing API key in the authorization header.") };
  }
  const key = request.headers.get("idempotency-key");
  if (key !== null && (key.length < 1 || key.length > 256)) {
    return { error: resendError(400, "invalid_idempotency_key", "The key must be between 1-256 chars.") };
  }
  let body: unknown;
  try {
    body = JSON.parse(await request.text());
  } catch {
    return { error: resendError(400, "validation_error", "The request body is not valid JSON.") };
  }

  // A queued fault stands for Resend failing before it did anything: nothing is captured and
  // the idempotency key stays unused, so the client's retry with the same key goes through.
  const fault = state.faults.takeFor(recipientsOf(body));
  if (fault !== undefined) {
    return { error: FAULTS[fault], headers: fault === 429 ? { "retry-after": "1" } : {} };
  }

  if (key !== null) {
    const decision = state.ledger.begin(key, fingerprintOf(body));
    if (decision.outcome === "replay") return { body: decision.response, replayed: true };
    if (decision.outcome === "different-payload") {
      const message = "Same idempotency key used with a different request payload.";
      return { error: resendError(409, "invalid_idempotent_request", message) };
    }
    if (decision.outcome === "in-flight") {
      const message = "Same idempotency key used while original request is still in progress.";
      return { error: resendError(409, "concurrent_idempotent_requests", message) };
    }
  }
  try {
    return await capture(request, body, key, state);
  } finally {
    if (key !== null) state.ledger.release(key);
  }
}

async function capture(
  request: Request,
  body: unknown,
  key: string | null,
  state: SendState,
): Promise<Outcome> {
  const email = parseSendRequest(body);
  if (isError(email)) return { error: email };

  const hold = state.holds.shift();
  if (hold) {
    hold.arrived();
    await hold.released;
  }
  const id = crypto.randomUUID();
  state.inbox.capture({
    id,
    receivedAt: state.now(),
    idempotencyKey: key,
    ...email,
    userAgent: request.headers.get("user-agent"),
  });
  if (key !== null) state.ledger.complete(key, { id });
  return { body: { id }, replayed: false };
}

function recipientsOf(body: unknown): string[] {
  const to = typeof body === "object" && body !== null ? (body as { to?: unknown }).to : undefined;
  return [to].flat().filter((r): r is string => typeof r === "string");
}
