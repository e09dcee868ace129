import { bearerToken, ProblemError, unauthorized } from "@nudge/http";

/** The subprotocol a WebSocket client speaks; browsers pass their token as a second one. */
export const PROTOCOL = "nudge.v1";
const BEARER_PROTOCOL = "bearer.";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Query parameters that would carry a credential into access logs and browser history. */
const CREDENTIAL_PARAMS = ["token", "access_token", "jwt", "authorization", "bearer"];

const badRequest = (field: string, slug: string, title: string, message: string) =>
  new ProblemError(400, slug, title, `${field}: ${message}`, [{ field, message }]);

/** A token in the URL is refused outright: proxies, ingress controllers and browsers log URLs. */
export function refuseTokenInUrl(query: Record<string, unknown>): void {
  for (const name of Object.keys(query)) {
    if (CREDENTIAL_PARAMS.includes(name.toLowerCase())) {
      throw badRequest(
        `query.${name}`,
        "token-in-url",
        "Token in URL",
        "tokens are never accepted in the URL (it ends up in logs): send Authorization: Bearer, or the Sec-WebSocket-Protocol bearer.<token>",
      );
    }
  }
}

/**
 * A WebSocket's token: the Authorization header (servers, CLIs), or for browsers, which cannot
 * set headers on a WebSocket, the subprotocol `bearer.<token>` offered beside `nudge.v1`. The
 * handshake answers `nudge.v1`, so the token is never echoed back.
 */
export function webSocketToken(headers: Record<string, string | undefined>): string {
  if (headers.authorization) return bearerToken(headers.authorization);
  const offered = (headers["sec-websocket-protocol"] ?? "").split(",").map((p) => p.trim());
  const bearer = offered.find((p) => p.startsWith(BEARER_PROTOCOL));
  if (!bearer) {
    throw unauthorized(
      `an Authorization: Bearer header, or the subprotocols "${PROTOCOL}" and "bearer.<token>", are required`,
    );
  }
  if (!offered.includes(PROTOCOL)) {
    throw badRequest(
      "header.sec-websocket-protocol",
      "invalid-header",
      "Invalid header",
      `offer "${PROTOCOL}" beside bearer.<token>: the server answers with it`,
    );
  }
  return bearerToken(`Bearer ${bearer.slice(BEARER_PROTOCOL.length)}`);
}

/** The event id to resume after: `Last-Event-ID` (SSE reconnects send it) or `since`. */
export function resumeFrom(lastEventId: string | undefined, since: string | undefined): string | undefined {
  if (lastEventId !== undefined) {
    if (!UUID.test(lastEventId)) {
      throw badRequest(
        "header.last-event-id",
        "invalid-header",
        "Invalid header",
        "must be an event id (a UUID)",
      );
    }
    return lastEventId.toLowerCase();
  }
  return since?.toLowerCase();
}

/** `since` as the route schemas declare it. */
export const SINCE_PATTERN = UUID.source;
