import type { Logger } from "@nudge/service";
import { ValidationError } from "elysia";
import { type FieldError, ProblemError } from "./problem.ts";

export function problemResponse(
  status: number,
  slug: string,
  title: string,
  detail?: string,
  errors?: FieldError[],
): Response {
  return new Response(JSON.stringify({ type: `/problems/${slug}`, title, status, detail, errors }), {
    status,
    headers: { "content-type": "application/problem+json" },
  });
}

/** "/tags/0" → "tags[0]"-style dotted path under the part of the request that was wrong. */
function fieldOf(part: string, pointer: string): string {
  const segments = pointer.split("/").filter(Boolean);
  return [part, ...segments].join(".");
}

interface SchemaError {
  path?: unknown;
  message?: unknown;
  /** A union's error carries one iterator of errors per variant. */
  errors?: Iterable<SchemaError>[];
}

/**
 * A union's own error ("Expected union value") names no field. When the variants the value came
 * closest to (fewest wrong fields) point below it, report those instead: `{"before": "soon"}`
 * against {at}|{before} names body.before, not body.
 */
function specific(error: SchemaError): SchemaError[] {
  const variants = (Array.isArray(error.errors) ? error.errors : []).map((variant) => [...variant]);
  if (!variants.length) return [error];
  const distance = (variant: SchemaError[]) => new Set(variant.map((e) => e.path)).size;
  const closest = Math.min(...variants.map(distance));
  const best = variants.filter((variant) => distance(variant) === closest).flat();
  if (best.every((e) => e.path === error.path)) return [error];
  return best.flatMap(specific);
}

function validationProblem(error: ValidationError): Response {
  const part = error.type === "params" ? "path" : error.type;
  const seen = new Set<string>();
  const fieldErrors: FieldError[] = [];
  for (const e of (error.all as SchemaError[]).flatMap(specific)) {
    const path = e.path === undefined ? "" : String(e.path);
    const field = fieldOf(part, path);
    const message = e.message === undefined ? "is invalid" : String(e.message);
    const key = `${field}:${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    fieldErrors.push({ field, message });
  }
  const first = fieldErrors[0];
  // A well-formed body with wrong content is 422; a malformed path, query or header is 400.
  const status = error.type === "body" ? 422 : 400;
  return problemResponse(
    status,
    "validation-failed",
    "Invalid request",
    first ? `${first.field}: ${first.message}` : "the request does not match its schema",
    fieldErrors.slice(0, 20),
  );
}

/**
 * The one place errors become HTTP responses: RFC 9457 problem+json for every 4xx/5xx. Undefined
 * for NOT_FOUND, which the boundary turns into 404 or 405 (it knows the routes).
 */
export function errorResponse(
  code: unknown,
  error: unknown,
  request: Request,
  log: Logger,
): Response | undefined {
  // A ProblemError thrown while the body was parsed arrives wrapped in Elysia's ParseError.
  const cause = (error as { cause?: unknown })?.cause;
  if (code === "PARSE" && cause instanceof ProblemError) error = cause;
  if (error instanceof ProblemError) {
    return problemResponse(error.status, error.slug, error.title, error.detail, error.errors);
  }
  if (error instanceof ValidationError || code === "VALIDATION")
    return validationProblem(error as ValidationError);
  if (code === "PARSE") {
    return problemResponse(400, "malformed-body", "Malformed body", "the body is not valid JSON", [
      { field: "body", message: "is not valid JSON" },
    ]);
  }
  if (code === "NOT_FOUND") return undefined;
  log.error("unhandled error", {
    method: request.method,
    path: new URL(request.url).pathname,
    error: String(error),
    stack: (error as Error)?.stack,
  });
  return problemResponse(500, "internal", "Internal error", "the server could not complete the request");
}
