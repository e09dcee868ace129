/** Typed problem errors are shared by every service with a public API: they live in @nudge/http. */
export {
  conflict,
  type FieldError,
  invalid,
  notFound,
  ProblemError,
  preconditionFailed,
  unauthorized,
} from "@nudge/http";
