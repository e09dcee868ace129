import { fingerprintOf } from "./idempotency.ts";
import { FAULTS, type ResendError, resendError } from "./resend-errors.ts";
import {
  type BatchError,
  capture,
  faultOutcome,
  idempotently,
  type Outcome,
  passHold,
  recipientsOf,
  respond,
  type SendState,
  withRequest,
} from "./send-email.ts";
import { isError, parseSendRequest, type SendRequest } from "./send-request.ts";

/** Resend's limit on one batch request. */
export const MAX_BATCH = 100;

type Validation = "strict" | "permissive";

/**
 * POST /emails/batch, as Resend documents it: up to 100 emails in one request, answered with one
 * id per email. The `x-batch-validation` header chooses what one bad email does: `strict` (the
 * default) refuses the whole request with that email's 422 and sends nothing; `permissive` sends
 * the valid ones and lists the others as `errors: [{index, message}]`, `data` holding the ids of
 * the sent ones in request order. Attachments and scheduled_at are not supported in a batch. An
 * Idempotency-Key covers the whole request, exactly as for POST /emails.
 *
 * Faults a test queued: an untargeted one, or a 429/500 aimed at any recipient of the batch,
 * fails the whole request (a rate limit or an outage is never per email); a 422 aimed at a
 * recipient refuses that email alone, as Resend refuses an address it will not send to.
 */
export async function sendBatch(request: Request, state: SendState): Promise<Response> {
  state.stats.received++;
  return respond(
    await withRequest(request, async (body, key) => {
      const validation = validationOf(request.headers.get("x-batch-validation"));
      if (typeof validation !== "string") return { error: validation };
      const shape = checkShape(body);
      if (shape) return { error: shape };
      const emails = body as unknown[];

      let requestFault = state.faults.takeUntargeted();
      for (const email of emails) {
        if (requestFault !== undefined) break;
        requestFault = state.faults.takeAimedAt(recipientsOf(email), (status) => status !== 422);
      }
      if (requestFault !== undefined) return faultOutcome(requestFault);

      const fingerprint = fingerprintOf({ path: "/emails/batch", validation, body });
      return idempotently(state, key, fingerprint, async () => {
        const checked = emails.map((email) => {
          if (state.faults.takeAimedAt(recipientsOf(email), (status) => status === 422) !== undefined) {
            return FAULTS[422] as ResendError;
          }
          return parseBatchEmail(email);
        });
        const firstBad = checked.find(isError);
        if (validation === "strict" && firstBad) return { error: firstBad };
        const valid = checked.filter((email): email is SendRequest => !isError(email));
        if (valid.length > 0) await passHold(state, "request");
        const data: { id: string }[] = [];
        const errors: BatchError[] = [];
        checked.forEach((email, index) => {
          if (isError(email)) errors.push({ index, message: email.message });
          else data.push({ id: capture(request, state, email, key, index) });
        });
        if (valid.length > 0) await passHold(state, "answer");
        const answer = validation === "permissive" ? { data, errors } : { data };
        return { body: answer, replayed: false, captured: data.length } satisfies Outcome;
      });
    }),
    state,
  );
}

function validationOf(header: string | null): Validation | ResendError {
  if (header === null || header === "strict") return "strict";
  if (header === "permissive") return "permissive";
  return resendError(
    422,
    "validation_error",
    "Invalid `x-batch-validation` header. It must be `strict` or `permissive`.",
  );
}

function checkShape(body: unknown): ResendError | undefined {
  if (!Array.isArray(body)) {
    return resendError(422, "validation_error", "The request body must be an array of emails.");
  }
  if (body.length === 0) {
    return resendError(422, "validation_error", "The batch must contain at least one email.");
  }
  if (body.length > MAX_BATCH) {
    return resendError(
      422,
      "validation_error",
      `Too many emails in the batch. The maximum is ${MAX_BATCH} emails per request.`,
    );
  }
  return undefined;
}

/** One email of a batch: a POST /emails body, minus what the batch endpoint does not support. */
function parseBatchEmail(body: unknown): SendRequest | ResendError {
  const email = parseSendRequest(body);
  if (isError(email)) return email;
  if (email.attachments.length > 0) {
    return resendError(422, "validation_error", "The `attachments` field is not supported for batch emails.");
  }
  if (email.scheduledAt !== null) {
    return resendError(
      422,
      "validation_error",
      "The `scheduled_at` field is not supported for batch emails.",
    );
  }
  return email;
}
