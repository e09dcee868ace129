/** problem+json error mapping is shared by every service with a public API: it lives in @nudge/http. */
export { problemResponse } from "@nudge/http";
