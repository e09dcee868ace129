/** problem+json error mapping is shared by every service with a public API: it lives in @nudge/http. */
export { errorHandling, MAX_BODY_BYTES, problemResponse } from "@nudge/http";
