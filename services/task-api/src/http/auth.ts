/** JWT verification is shared with audit-service and realtime-gateway: it lives in @nudge/http. */
export { authentication, tokenVerifier, type VerifyToken } from "@nudge/http";
