import type { TraceContext } from "@nudge/http";

/** Who is asking, and the trace the resulting events should carry. */
export interface Actor {
  userId: string;
  /** The request's W3C trace context, already validated at the edge (@nudge/http traceContext). */
  trace?: TraceContext;
}
