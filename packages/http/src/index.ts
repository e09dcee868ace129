export { authentication, bearerToken, type JwtSettings, tokenVerifier, type VerifyToken } from "./auth.ts";
export { errorHandling, MAX_BODY_BYTES, type PageErrors, problemResponse } from "./errors.ts";
export { escapeHtml } from "./html.ts";
export { operatorTokenMatches, readiness } from "./operator.ts";
export {
  conflict,
  type FieldError,
  invalid,
  notFound,
  ProblemError,
  preconditionFailed,
  unauthorized,
} from "./problem.ts";
