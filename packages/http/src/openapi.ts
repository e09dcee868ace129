import { toOpenAPISchema } from "@elysiajs/openapi";
import { IDEMPOTENCY_KEY_PATTERN, Problem } from "@nudge/contracts";
import type { Elysia } from "elysia";
// Scalar publishes its browser bundle without an export entry: imported by path, embedded as text
// (also in compiled executables). A text import of a script has no declaration for tsc to find.
// @ts-expect-error TS7016: the module is a string (with { type: "text" })
import scalarScript from "../node_modules/@scalar/api-reference/dist/browser/standalone.js" with {
  type: "text",
};
import { type Access, type AccessPolicy, accessOf } from "./access.ts";
import { isPagePath } from "./boundary.ts";

export interface ApiDocsOptions {
  title: string;
  version: string;
  description: string;
  /** The same policy the boundary enforces: it decides which operations say `security: []`. */
  access: AccessPolicy;
  /** Paths left out of the document (internal, sidecar and operator routes). */
  exclude: RegExp[];
  /** The boundary's page paths: form bodies, and every answer (errors too) an HTML page. */
  pages?: string[];
  /**
   * Route prefixes with a document of their own (e.g. /internal, /operator), served at
   * `<prefix>/openapi.json`: the access policy guards it as it guards the routes it describes.
   */
  restricted?: Array<{ prefix: string; title: string; description: string }>;
}

/** Request headers a route reads, for its document (Elysia documents only schema-validated ones). */
export const HEADERS = {
  ifMatch: {
    name: "If-Match",
    in: "header",
    required: false,
    description: 'The ETag the change is based on ("3", W/"3") or *; a stale one is 412.',
    schema: { type: "string", pattern: '^(?:\\*|(?:W/)?"[0-9]{1,9}")$' },
  },
  idempotencyKey: {
    name: "Idempotency-Key",
    in: "header",
    required: false,
    description:
      "Replays the first response to the same key for 24 h; the same key with another body is 422.",
    schema: { type: "string", pattern: IDEMPOTENCY_KEY_PATTERN },
  },
} as const;

/** `detail` of a route that reads these headers: `detail: { summary, ...readsHeaders(HEADERS.ifMatch) }`. */
export const readsHeaders = (...headers: Array<(typeof HEADERS)[keyof typeof HEADERS]>) => ({
  "x-request-headers": headers,
});

type Operation = {
  "x-request-headers"?: unknown[];
  parameters?: Array<{ in: string }>;
  requestBody?: { content?: Record<string, unknown>; required?: boolean };
  responses?: Record<string, { description?: string; content?: Record<string, unknown>; headers?: unknown }>;
  security?: unknown[];
};

const problemContent = { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } };
const pageContent = { "text/html": { schema: { type: "string" } } };
const FORM = "application/x-www-form-urlencoded";
const ERROR_TEXT: Record<string, string> = {
  "400": "Malformed request: a path, query or header value, or a body that is not strict JSON",
  "401": "No valid bearer token",
  "403": "Forbidden",
  "404": "No such resource (or it belongs to someone else)",
  "409": "Conflicts with the resource's current state",
  "412": "If-Match does not match the current version",
  "413": "Body larger than 64 KiB",
  "414": "Path and query longer than 4 KiB",
  "415": "Body is not application/json",
  "422": "Well-formed body with invalid content; `errors` names each field",
  "431": "Header fields larger than 8 KiB in all",
};

/** How each kind of caller proves who it is (access.ts), and the status it gets when it cannot. */
const SECURITY_SCHEMES = {
  bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "A user's token" },
  appToken: {
    type: "apiKey",
    in: "header",
    name: "dapr-api-token",
    description: "The sidecar's APP_API_TOKEN, which Dapr adds to every call it forwards",
  },
  operator: { type: "http", scheme: "bearer", description: "OPERATOR_TOKEN" },
};
const SECURITY: Record<Access, Array<Record<string, string[]>>> = {
  public: [],
  user: [{ bearer: [] }],
  sidecar: [{ appToken: [] }],
  operator: [{ operator: [] }],
};
const REFUSAL: Record<Access, string | undefined> = {
  public: undefined,
  user: "401",
  sidecar: "403",
  operator: "401",
};

type AnyElysia = Elysia<any, any, any, any, any, any, any>;

/**
 * The service's OpenAPI 3.1 document, generated from the route schemas and then made to say
 * what the boundary really does: every error is application/problem+json, every status an
 * operation can answer is declared (the boundary's 400/401/413/415/422/431 on every route that
 * can produce them), bodies are application/json only, and public routes need no token.
 */
export function openApiDocument(app: AnyElysia, options: ApiDocsOptions, prefix?: string) {
  const pages = { paths: options.pages ?? [] };
  // A restricted document holds its prefix's routes and nothing else.
  const paths = prefix ? [new RegExp(`^(?!${prefix}(?:/|$))`)] : options.exclude;
  // staticFile: false — a page path may have a dot (…/task.ics) and is documented like any other.
  const exclude = { paths, staticFile: false };
  const generated = toOpenAPISchema(app, exclude, undefined, undefined, "3.1.0") as {
    paths: Record<string, Record<string, Operation>>;
    components: { schemas?: Record<string, unknown> };
  };
  // Our own body parser hides the route's body schema from the generator: add it back, as the
  // one content type the boundary accepts.
  for (const route of app.routes as Array<{ method: string; path: string; hooks?: { body?: unknown } }>) {
    const operation = generated.paths[route.path.replace(/:(\w+)/g, "{$1}")]?.[route.method.toLowerCase()];
    if (!operation || !route.hooks?.body) continue;
    const schema = JSON.parse(JSON.stringify(route.hooks.body));
    const type = isPagePath(pages, route.path) ? FORM : "application/json";
    operation.requestBody = { required: true, content: { [type]: { schema } } };
  }
  for (const [path, item] of Object.entries(generated.paths)) {
    const elysiaPath = path.replace(/\{([^}]+)\}/g, ":$1");
    const access = accessOf(options.access, elysiaPath);
    for (const [method, operation] of Object.entries(item)) {
      if (typeof operation !== "object" || operation === null) continue;
      completeOperation(operation, method, access, isPagePath(pages, elysiaPath));
      if (path === "/readyz") {
        operation.responses ??= {};
        operation.responses["503"] = { description: "A dependency is unreachable; the body says which" };
      }
    }
  }
  const restricted = options.restricted?.find((r) => r.prefix === prefix);
  return {
    openapi: "3.1.0",
    info: {
      title: restricted?.title ?? options.title,
      version: options.version,
      description: restricted?.description ?? options.description,
    },
    paths: generated.paths,
    components: {
      schemas: { ...generated.components?.schemas, Problem },
      securitySchemes: SECURITY_SCHEMES,
    },
    security: [{ bearer: [] }],
  };
}

function completeOperation(operation: Operation, method: string, access: Access, isPage: boolean) {
  const headers = (operation["x-request-headers"] ?? []) as Array<{ in: string; name: string }>;
  if (headers.length) {
    operation.parameters = [...(operation.parameters ?? []), ...headers];
    delete operation["x-request-headers"];
  }
  const responses = (operation.responses ??= {});
  const hasBody = operation.requestBody !== undefined;
  if (!Object.keys(responses).some((status) => status.startsWith("2"))) {
    if (method === "delete") responses["204"] = { description: "Done; no content" };
    else responses["200"] = { description: "OK" };
  }
  // Any request can be too long in its URI or headers, whatever its parameters' schemas say.
  const possible = ["400", "414", "431"];
  const refusal = REFUSAL[access];
  if (refusal) possible.push(refusal);
  if (operation.parameters?.some((p) => p.in === "path")) possible.push("404");
  if (hasBody) possible.push("413", "415", "422");
  if (headers.some((h) => h.name === "If-Match")) possible.push("412");
  if (headers.some((h) => h.name === "Idempotency-Key")) possible.push("422");
  for (const status of possible) {
    const text = isPage && status === "415" ? `Body is not ${FORM}` : (ERROR_TEXT[status] as string);
    responses[status] ??= { description: text };
  }
  for (const [status, response] of Object.entries(responses)) {
    if (Number(status) >= 400 && status !== "503") {
      response.description ||= ERROR_TEXT[status] ?? "Error";
      response.content = isPage ? pageContent : problemContent;
    }
  }
  if (access !== "user") operation.security = SECURITY[access];
}

const docsPage = (title: string) => `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <title>${title}</title>
</head>
<body>
  <div id="app"></div>
  <script src="/docs/scalar.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>
`;

// Fonts from the page's own defaults, no proxy, no telemetry: the viewer works offline.
const initScript = `Scalar.createApiReference("#app", {
  url: "/openapi.json",
  withDefaultFonts: false,
  hideClientButton: false,
  telemetry: false,
});
`;

/** Nothing on /docs may come from elsewhere: the browser enforces what the page promises. */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'";

/**
 * GET /openapi.json and GET /docs (Scalar's API reference, pinned in package.json and served
 * from this process: no CDN, works offline and air-gapped), and GET <prefix>/openapi.json for
 * each restricted prefix. Mount after every route.
 */
export function apiDocs(options: ApiDocsOptions) {
  return <App extends AnyElysia>(app: App) => {
    const cached = new Map<string, { routes: number; document: unknown }>();
    const documentAt = (prefix?: string) => {
      const key = prefix ?? "";
      if (cached.get(key)?.routes !== app.routes.length) {
        cached.set(key, { routes: app.routes.length, document: openApiDocument(app, options, prefix) });
      }
      return cached.get(key)?.document;
    };
    const hidden = { detail: { hide: true } };
    const headers = (type: string) => ({
      "content-type": type,
      "content-security-policy": CONTENT_SECURITY_POLICY,
    });
    for (const { prefix } of options.restricted ?? []) {
      app.get(`${prefix}/openapi.json`, () => documentAt(prefix), hidden);
    }
    return app
      .get("/openapi.json", () => documentAt(), hidden)
      .get(
        "/docs",
        () => new Response(docsPage(options.title), { headers: headers("text/html; charset=utf-8") }),
        hidden,
      )
      .get(
        "/docs/scalar.js",
        () => new Response(scalarScript, { headers: headers("text/javascript; charset=utf-8") }),
        hidden,
      )
      .get(
        "/docs/init.js",
        () => new Response(initScript, { headers: headers("text/javascript; charset=utf-8") }),
        hidden,
      ) as App;
  };
}
