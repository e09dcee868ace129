export {
  type Access,
  type AccessPolicy,
  accessOf,
  authentication,
  PUBLIC_API_PATHS,
  userOf,
} from "./access.ts";
export {
  bearerToken,
  type JwtSettings,
  jwtEnv,
  jwtSettings,
  tokenVerifier,
  type VerifyToken,
} from "./auth.ts";
export { type BoundaryOptions, boundary, isPagePath, type PagePolicy, shutdown } from "./boundary.ts";
export { problemResponse } from "./errors.ts";
export { escapeHtml } from "./html.ts";
export { JsonRejection, MAX_JSON_DEPTH, parseStrictJson } from "./json.ts";
export { type ApiDocsOptions, apiDocs, HEADERS, openApiDocument, readsHeaders } from "./openapi.ts";
export {
  conflict,
  type FieldError,
  invalid,
  notFound,
  ProblemError,
  preconditionFailed,
  unauthorized,
} from "./problem.ts";
export { readiness } from "./readiness.ts";
export {
  MAX_BODY_BYTES,
  MAX_HEADER_BYTES,
  MAX_URL_BYTES,
  readFormBody,
  readJsonBody,
  SERVE_OPTIONS,
} from "./request.ts";
export { bearerSecretMatches, secretMatches } from "./secrets.ts";
export { type TraceContext, traceContext, validTraceparent, validTracestate } from "./trace-context.ts";
