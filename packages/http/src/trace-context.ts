/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/) read at the edge: what a client sends
 * as `traceparent` / `tracestate` is kept only when it is well-formed and small, and dropped
 * otherwise (never stored, never forwarded). A dropped header costs a trace link, never the
 * request: the spec says to restart the trace rather than fail. Every service's HTTP edge uses
 * this one reader; the outbox relay re-checks rows written before it existed.
 */
export interface TraceContext {
  traceparent?: string;
  tracestate?: string;
}

/** The spec's own bound for what a vendor must propagate; longer lists are cut member by member. */
export const TRACESTATE_MAX_LENGTH = 512;
const TRACESTATE_MAX_MEMBERS = 32;
/** A traceparent of a future version may carry more fields, but nothing legitimate is this long. */
const TRACEPARENT_MAX_LENGTH = 256;

const HEX = /^[0-9a-f]+$/;
const ZEROS = /^0+$/;
// key = simple-key / tenant-id "@" system-id (lowercase; at most 256 characters).
const KEY = /^(?:[a-z][a-z0-9_\-*/]{0,255}|[a-z0-9][a-z0-9_\-*/]{0,240}@[a-z][a-z0-9_\-*/]{0,13})$/;
// value = 0-255 printable ASCII but ',' and '=', not ending in a space.
const VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;

type HeaderSource = Headers | Record<string, string | undefined>;

function header(headers: HeaderSource, name: string): string | undefined {
  const value = headers instanceof Headers ? headers.get(name) : headers[name];
  return value ?? undefined;
}

/**
 * A valid traceparent, normalized to version 00 (what we propagate), or undefined.
 * Version 00 is exactly `00-<32 hex trace-id>-<16 hex parent-id>-<2 hex flags>`, lowercase, ids
 * not all zero; a higher version (not ff) is read the same way from its first 55 characters when
 * what follows starts with "-".
 */
export function validTraceparent(value: string | undefined): string | undefined {
  if (value === undefined || value.length < 55 || value.length > TRACEPARENT_MAX_LENGTH) return undefined;
  const version = value.slice(0, 2);
  if (!HEX.test(version) || version === "ff") return undefined;
  if (version === "00" ? value.length !== 55 : value.length > 55 && value[55] !== "-") return undefined;
  if (value[2] !== "-" || value[35] !== "-" || value[52] !== "-") return undefined;
  const traceId = value.slice(3, 35);
  const parentId = value.slice(36, 52);
  const flags = value.slice(53, 55);
  if (!HEX.test(traceId) || !HEX.test(parentId) || !HEX.test(flags)) return undefined;
  if (ZEROS.test(traceId) || ZEROS.test(parentId)) return undefined;
  return `00-${traceId}-${parentId}-${flags}`;
}

/**
 * A valid tracestate, or undefined: list members `key=value` separated by commas (blank members
 * allowed by the spec are dropped), at most 32, no key twice. Over 512 characters, members are
 * dropped from the end until it fits, as the spec allows.
 */
export function validTracestate(value: string | undefined): string | undefined {
  if (value === undefined || value.length > 8 * TRACESTATE_MAX_LENGTH) return undefined;
  const members = value
    .split(",")
    .map((member) => member.trim())
    .filter(Boolean);
  if (!members.length || members.length > TRACESTATE_MAX_MEMBERS) return undefined;
  const keys = new Set<string>();
  for (const member of members) {
    const equals = member.indexOf("=");
    const key = member.slice(0, equals);
    if (equals < 1 || !KEY.test(key) || !VALUE.test(member.slice(equals + 1)) || keys.has(key))
      return undefined;
    keys.add(key);
  }
  while (members.join(",").length > TRACESTATE_MAX_LENGTH) members.pop();
  return members.length ? members.join(",") : undefined;
}

/**
 * The trace context of a request, each header kept only when valid; tracestate only beside a
 * valid traceparent (the spec ties them: without a parent there is no state to continue).
 */
export function traceContext(headers: HeaderSource): TraceContext {
  const traceparent = validTraceparent(header(headers, "traceparent"));
  if (!traceparent) return {};
  const tracestate = validTracestate(header(headers, "tracestate"));
  return tracestate ? { traceparent, tracestate } : { traceparent };
}
