/**
 * Typed problem errors are shared by every service with a public API and live in @nudge/http;
 * import them from there. This remains for the modules that still import it here.
 */
export { invalid, notFound, ProblemError, preconditionFailed } from "@nudge/http";
