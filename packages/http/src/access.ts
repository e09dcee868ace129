import { Elysia } from "elysia";
import type { VerifyToken } from "./auth.ts";
import { bearerToken } from "./auth.ts";
import { ProblemError, unauthorized } from "./problem.ts";
import { bearerSecretMatches, secretMatches } from "./secrets.ts";

/**
 * Who may call a path. Every service declares its policy once; a path it does not list needs a
 * user's bearer token, so a new route is protected unless someone decides otherwise.
 *  - public:   anyone (health, readiness, the API document and its viewer)
 *  - sidecar:  only through our Dapr sidecar (`dapr-api-token` = APP_API_TOKEN): events, job
 *              triggers, internal routes for service invocation
 *  - operator: `Authorization: Bearer <OPERATOR_TOKEN>`
 */
export interface AccessPolicy {
  /** Exact paths, or prefixes ending in "/" (e.g. "/docs/"). */
  public?: string[];
  sidecar?: string[];
  operator?: string[];
  verify?: VerifyToken;
  appApiToken?: string;
  /**
   * With no APP_API_TOKEN configured, sidecar paths refuse everything (true) or trust the network
   * (false: a sidecar without a token sends none; the local stack and Kubernetes always set one).
   */
  requireAppToken?: boolean;
  operatorToken?: string;
  /** The user's token of a request; by default `Authorization: Bearer <token>`. */
  userToken?: (request: Request, path: string) => string;
}

/** Health, readiness, the API document and its viewer: public in every service with a public API. */
export const PUBLIC_API_PATHS = ["/healthz", "/readyz", "/openapi.json", "/docs", "/docs/"];

export type Access = "public" | "sidecar" | "operator" | "user";

const matches = (patterns: string[] | undefined, path: string) =>
  patterns?.some((p) => (p.endsWith("/") ? path.startsWith(p) || path === p.slice(0, -1) : path === p)) ??
  false;

export function accessOf(policy: AccessPolicy, path: string): Access {
  if (matches(policy.public, path)) return "public";
  if (matches(policy.sidecar, path)) return "sidecar";
  if (matches(policy.operator, path)) return "operator";
  return "user";
}

/** The authenticated user of each request, set before routing and read by `authentication`. */
const users = new WeakMap<Request, string>();

const forbidden = () =>
  new ProblemError(
    403,
    "forbidden",
    "Forbidden",
    "this route is reachable only through Dapr service invocation",
    [{ field: "header.dapr-api-token", message: "must be the sidecar's app token" }],
  );

/**
 * Checks the caller of `request` against the policy, before anything else reads the request:
 * an anonymous caller learns nothing about a route's parameters or body. Throws a 401/403 problem.
 */
export async function authorize(policy: AccessPolicy, request: Request, path: string): Promise<void> {
  const access = accessOf(policy, path);
  if (access === "public") return;
  if (access === "sidecar") {
    const token = request.headers.get("dapr-api-token") ?? undefined;
    if (!policy.appApiToken) {
      if (policy.requireAppToken) throw forbidden();
      return;
    }
    if (!secretMatches(token, policy.appApiToken)) throw forbidden();
    return;
  }
  if (access === "operator") {
    if (!bearerSecretMatches(request.headers.get("authorization") ?? undefined, policy.operatorToken)) {
      throw new ProblemError(
        401,
        "unauthorized",
        "Unauthorized",
        "operator endpoints need Authorization: Bearer <OPERATOR_TOKEN>",
        [{ field: "header.authorization", message: "must be Bearer <OPERATOR_TOKEN>" }],
      );
    }
    return;
  }
  if (!policy.verify) throw unauthorized("this service accepts no user tokens");
  const token = policy.userToken
    ? policy.userToken(request, path)
    : bearerToken(request.headers.get("authorization") ?? undefined);
  users.set(request, await policy.verify(token));
}

/** The user the edge authenticated for this request; 401 if it authenticated none. */
export function userOf(request: Request): string {
  const user = users.get(request);
  if (user === undefined) throw unauthorized("an Authorization: Bearer <token> header is required");
  return user;
}

/** Derives `userId` (authenticated at the edge, before parsing) for every route registered after it. */
export const authentication = () =>
  new Elysia({ name: "authentication" }).derive({ as: "scoped" }, ({ request }) => ({
    userId: userOf(request),
  }));
