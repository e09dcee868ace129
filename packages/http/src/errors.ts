import type { Logger } from "@nudge/service";
import { Elysia, ValidationError } from "elysia";
import { type FieldError, ProblemError } from "./problem.ts";

export const MAX_BODY_BYTES = 64 * 1024;

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
 * Paths a person opens in a browser (the pages email links lead to): their errors are HTML pages
 * with the same status, title and detail a problem would carry, never JSON.
 */
export interface PageErrors {
  /** Exact paths, or prefixes ending in "/". */
  paths: string[];
  render: (problem: { status: number; title: string; detail?: string }) => Response;
}

const isPage = (pages: PageErrors | undefined, path: string) =>
  pages?.paths.some((p) => (p.endsWith("/") ? path.startsWith(p) : path === p)) ?? false;

/** The problem `response` carries, presented as `pages` renders it when the request is for a page. */
async function presented(response: Response, request: Request, pages?: PageErrors): Promise<Response> {
  if (!isPage(pages, new URL(request.url).pathname)) return response;
  const problem = (await response.json()) as { status: number; title: string; detail?: string };
  return (pages as PageErrors).render(problem);
}

/**
 * The one place errors become HTTP responses: RFC 9457 problem+json for every 4xx/5xx (HTML
 * pages for the paths in `pages`).
 */
export const errorHandling = (log: Logger, pages?: PageErrors) =>
  new Elysia({ name: "errors" })
    .onRequest(({ request }) => {
      const length = Number(request.headers.get("content-length") ?? 0);
      if (length > MAX_BODY_BYTES) {
        return presented(
          problemResponse(
            413,
            "payload-too-large",
            "Payload too large",
            `bodies are limited to ${MAX_BODY_BYTES} bytes`,
          ),
          request,
          pages,
        );
      }
    })
    .onError({ as: "global" }, ({ code, error, request }) =>
      presented(problemFor(code, error, request, log), request, pages),
    );

function problemFor(code: unknown, error: unknown, request: Request, log: Logger): Response {
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
  if (code === "NOT_FOUND") return problemResponse(404, "not-found", "Not found", "no such route");
  const url = new URL(request.url);
  log.error("unhandled error", {
    method: request.method,
    path: url.pathname,
    error: String(error),
    stack: (error as Error)?.stack,
  });
  return problemResponse(500, "internal", "Internal error", "the server could not complete the request");
}
