import type { FaultQueue } from "./faults.ts";
import { fingerprintOf, type IdempotencyLedger } from "./idempotency.ts";
import type { Inbox } from "./inbox.ts";
import { errorResponse, FAULTS, type FaultStatus, type ResendError, resendError } from "./resend-errors.ts";
import { isError, parseSendRequest, type SendRequest } from "./send-request.ts";

export interface SendStats {
  /** Every POST /emails and /emails/batch, whatever became of it. */
  received: number;
  /** Requests that captured at least one new email. */
  accepted: number;
  /** Repeats of an idempotency key answered with the first response, capturing nothing. */
  replayed: number;
  /** Error responses, counted by HTTP status. */
  rejected: Record<string, number>;
  /** Emails captured, however many each request carried. */
  emails: number;
}

/**
 * Lets a test hold one accepted send in flight until it releases it: before its emails are
 * captured ("request"), or after, with only the answer still to go ("answer").
 */
export interface SendHold {
  stage: "request" | "answer";
  arrived: () => void;
  released: Promise<void>;
}

/** What a successful send answers: one id, or a batch's ids (and, when permissive, its refusals). */
export type SendAnswer = { id: string } | { data: { id: string }[]; errors?: BatchError[] };
export interface BatchError {
  index: number;
  message: string;
}

export interface SendState {
  inbox: Inbox;
  ledger: IdempotencyLedger<SendAnswer>;
  faults: FaultQueue;
  stats: SendStats;
  holds: SendHold[];
  now: () => number;
}

export type Outcome =
  | { error: ResendError; headers?: Record<string, string> }
  | { body: SendAnswer; replayed: boolean; captured: number };

/** Counts the outcome and turns it into Resend's HTTP answer. */
export function respond(outcome: Outcome, state: SendState): Response {
  if ("error" in outcome) {
    const { error, headers } = outcome;
    state.stats.rejected[error.statusCode] = (state.stats.rejected[error.statusCode] ?? 0) + 1;
    return errorResponse(error, headers);
  }
  if (outcome.replayed) state.stats.replayed++;
  else if (outcome.captured > 0) state.stats.accepted++;
  state.stats.emails += outcome.captured;
  return Response.json(outcome.body);
}

/** POST /emails: Resend's send, answered from memory. */
export async function sendEmail(request: Request, state: SendState): Promise<Response> {
  state.stats.received++;
  return respond(
    await withRequest(request, async (body, key) => {
      const fault = state.faults.takeFor(recipientsOf(body));
      if (fault !== undefined) return faultOutcome(fault);
      return idempotently(state, key, fingerprintOf({ path: "/emails", body }), async () => {
        const email = parseSendRequest(body);
        if (isError(email)) return { error: email };
        await passHold(state, "request");
        const id = capture(request, state, email, key, null);
        await passHold(state, "answer");
        return { body: { id }, replayed: false, captured: 1 };
      });
    }),
    state,
  );
}

/**
 * What every send does first, as Resend does: the API key, the idempotency key's length, a
 * JSON body. Then `work` with the parsed body and the key.
 */
export async function withRequest(
  request: Request,
  work: (body: unknown, key: string | null) => Promise<Outcome>,
): Promise<Outcome> {
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
  return work(body, key);
}

/**
 * A queued fault stands for Resend failing before it did anything: nothing is captured and the
 * idempotency key stays unused, so the client's retry with the same key goes through.
 */
export function faultOutcome(fault: FaultStatus): Outcome {
  return { error: FAULTS[fault], headers: fault === 429 ? { "retry-after": "1" } : {} };
}

/**
 * Runs `work` under the idempotency key: a repeat with the same payload is answered with the
 * first success, a different payload or a concurrent repeat is a 409. Only successes are
 * remembered (a refused request leaves the key unused).
 */
export async function idempotently(
  state: SendState,
  key: string | null,
  fingerprint: string,
  work: () => Promise<Outcome>,
): Promise<Outcome> {
  if (key === null) return work();
  const decision = state.ledger.begin(key, fingerprint);
  if (decision.outcome === "replay") return { body: decision.response, replayed: true, captured: 0 };
  if (decision.outcome === "different-payload") {
    const message = "Same idempotency key used with a different request payload.";
    return { error: resendError(409, "invalid_idempotent_request", message) };
  }
  if (decision.outcome === "in-flight") {
    const message = "Same idempotency key used while original request is still in progress.";
    return { error: resendError(409, "concurrent_idempotent_requests", message) };
  }
  try {
    const outcome = await work();
    if (!("error" in outcome)) state.ledger.complete(key, outcome.body);
    return outcome;
  } finally {
    state.ledger.release(key);
  }
}

/** A test's hold on the next valid send at this stage, if one is queued first. */
export async function passHold(state: SendState, stage: SendHold["stage"]): Promise<void> {
  if (state.holds[0]?.stage !== stage) return;
  const hold = state.holds.shift();
  if (hold) {
    hold.arrived();
    await hold.released;
  }
}

export function capture(
  request: Request,
  state: SendState,
  email: SendRequest,
  key: string | null,
  batchIndex: number | null,
): string {
  const id = crypto.randomUUID();
  state.inbox.capture({
    id,
    receivedAt: state.now(),
    idempotencyKey: key,
    batchIndex,
    ...email,
    userAgent: request.headers.get("user-agent"),
  });
  return id;
}

export function recipientsOf(body: unknown): string[] {
  const to = typeof body === "object" && body !== null ? (body as { to?: unknown }).to : undefined;
  return [to].flat().filter((r): r is string => typeof r === "string");
}
