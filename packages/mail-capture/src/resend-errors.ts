/**
 * Resend's error names (the SDK's RESEND_ERROR_CODE_KEY). The SDK hands a non-2xx JSON body
 * back verbatim as `error`, so this shape is exactly what callers of `resend.emails.send` see.
 */
export type ResendErrorName =
  | "missing_api_key"
  | "invalid_idempotency_key"
  | "validation_error"
  | "missing_required_field"
  | "not_found"
  | "method_not_allowed"
  | "invalid_idempotent_request"
  | "concurrent_idempotent_requests"
  | "rate_limit_exceeded"
  | "internal_server_error";

export interface ResendError {
  statusCode: number;
  name: ResendErrorName;
  message: string;
}

export function resendError(statusCode: number, name: ResendErrorName, message: string): ResendError {
  return { statusCode, name, message };
}

export function errorResponse(error: ResendError, headers: Record<string, string> = {}): Response {
  return Response.json(error, { status: error.statusCode, headers });
}

/** The statuses a test may queue as faults, with the body Resend sends for each. */
export const FAULTS = {
  422: resendError(422, "validation_error", "We found an error with one or more fields in the request."),
  429: resendError(
    429,
    "rate_limit_exceeded",
    "Too many requests. You can only make 2 requests per second. See rate limit response headers for more information.",
  ),
  500: resendError(500, "internal_server_error", "An unexpected error occurred, please try again later."),
} as const satisfies Record<number, ResendError>;

export type FaultStatus = keyof typeof FAULTS;

export function isFaultStatus(status: unknown): status is FaultStatus {
  return typeof status === "number" && Object.hasOwn(FAULTS, status);
}
