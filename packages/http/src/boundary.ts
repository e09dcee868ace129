import type { Logger } from "@nudge/service";
import type { Elysia } from "elysia";
import { type AccessPolicy, accessOf, authorize } from "./access.ts";
import { errorResponse, problemResponse } from "./errors.ts";
import { checkRequestShape, readFormBody, readJsonBody } from "./request.ts";

/**
 * Paths a person opens in a browser (the pages email links lead to): their bodies are HTML form
 * posts (application/x-www-form-urlencoded, as strict as JSON bodies elsewhere) and their errors
 * pages with the same status, title and detail a problem would carry — never JSON.
 */
export interface PagePolicy {
  /** Exact paths, or prefixes ending in "/". */
  paths: string[];
  render: (status: number, title: string, detail?: string) => Response;
}

export interface BoundaryOptions extends AccessPolicy {
  log: Logger;
  /**
   * The largest body a sidecar path takes (default MAX_BODY_BYTES, as every other path): a
   * bulk pub/sub delivery carries up to a hundred events in one body. Only the sidecar, with
   * the app token, gets past access control to send one.
   */
  sidecarBodyBytes?: number;
  pages?: PagePolicy;
}

export const isPagePath = (pages: { paths: string[] } | undefined, path: string) =>
  pages?.paths.some((p) => (p.endsWith("/") ? path.startsWith(p) : path === p)) ?? false;

/** The problem `response` carries, as the page `pages` renders for it. */
async function asPage(response: Response, pages: PagePolicy): Promise<Response> {
  const problem = (await response.json()) as { status: number; title: string; detail?: string };
  const page = pages.render(problem.status, problem.title, problem.detail);
  const allow = response.headers.get("allow");
  if (allow) page.headers.set("allow", allow);
  return page;
}

const PUBLIC_BODY_TYPES = ["application/json"] as const;
/** Dapr delivers pub/sub messages as CloudEvents; its other calls (jobs, invocation) as JSON. */
const SIDECAR_BODY_TYPES = ["application/json", "application/cloudevents+json"] as const;

type AnyElysia = Elysia<any, any, any, any, any, any, any>;

/**
 * Set when the service begins to shut down: from then on every answer carries
 * `Connection: close`, so a keep-alive client reconnects — through the Service, to a pod that
 * stays — instead of sending its next request down a connection the server is about to close
 * (a rolling restart refused such a request with ECONNRESET).
 */
export const shutdown = { draining: false };

/**
 * Where every request enters a service, in this order, for every route the app has or will get:
 *  1. shape: header, URL and declared body sizes; a well-formed path; no repeated query parameter;
 *  2. access (`AccessPolicy`): the caller is authenticated before anything reads its input;
 *  3. the body: one content type, bounded, strict JSON (duplicate keys, depth, NUL, lone surrogates);
 *  4. then Elysia validates against the route's schema;
 * and every error, including unknown routes (404) and undeclared methods on known paths (405,
 * with Allow), becomes application/problem+json. Mount it first: `new Elysia().use(boundary(…))`.
 */
export function boundary(options: BoundaryOptions) {
  const { log } = options;
  return <App extends AnyElysia>(app: App) => {
    let allowed: ((path: string) => string[]) | undefined;
    const methodsFor = (path: string) => {
      allowed ??= allowedMethods(app);
      return allowed(path);
    };
    return app
      .onRequest(async ({ request, set }) => {
        if (shutdown.draining) set.headers.connection = "close";
        const url = new URL(request.url);
        const sidecar = accessOf(options, url.pathname) === "sidecar";
        checkRequestShape(request, url, sidecar ? options.sidecarBodyBytes : undefined);
        await authorize(options, request, url.pathname);
      })
      .onParse({ as: "global" }, async ({ request, path }) => {
        if (isPagePath(options.pages, path)) return (await readFormBody(request)) ?? null;
        const sidecar = accessOf(options, path) === "sidecar";
        const types = sidecar ? SIDECAR_BODY_TYPES : PUBLIC_BODY_TYPES;
        return (await readJsonBody(request, types, sidecar ? options.sidecarBodyBytes : undefined)) ?? null;
      })
      .onError({ as: "global" }, async ({ code, error, request }) => {
        const path = new URL(request.url).pathname;
        const response = problemFor(code, error, request, path);
        return options.pages && isPagePath(options.pages, path) ? asPage(response, options.pages) : response;
      }) as App;

    function problemFor(code: unknown, error: unknown, request: Request, path: string): Response {
      const response = errorResponse(code, error, request, log);
      if (response) return response;
      const methods = methodsFor(path);
      if (methods.length && !methods.includes(request.method)) {
        const answer = problemResponse(
          405,
          "method-not-allowed",
          "Method not allowed",
          `${request.method} is not allowed here; allowed: ${methods.join(", ")}`,
        );
        answer.headers.set("allow", methods.join(", "));
        return answer;
      }
      return problemResponse(404, "not-found", "Not found", "no such route");
    }
  };
}

/** For a path, the methods some route declares for it (from the app's own route table). */
function allowedMethods(app: AnyElysia): (path: string) => string[] {
  const routes = (app.routes as Array<{ method: string; path: string }>).map((route) => ({
    method: route.method === "WS" ? "GET" : route.method,
    pattern: new RegExp(
      `^${route.path
        .split("/")
        .map((part) =>
          part.startsWith(":") ? "[^/]+" : part === "*" ? ".*" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
        )
        .join("/")}/?$`,
    ),
  }));
  return (path) => [...new Set(routes.filter((r) => r.pattern.test(path)).map((r) => r.method))].sort();
}
