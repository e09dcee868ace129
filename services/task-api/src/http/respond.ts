import { ProblemError } from "@nudge/http";
import type { StoredResponse } from "../idempotency/store.ts";

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
  });
}

export function replayable(stored: StoredResponse & { replayed: boolean }): Response {
  return json(stored.body ?? undefined, stored.status, {
    ...stored.headers,
    ...(stored.replayed ? { "idempotent-replayed": "true" } : {}),
  });
}

export function badHeader(name: string, message: string): ProblemError {
  return new ProblemError(400, "invalid-header", "Invalid header", `${name}: ${message}`, [
    { field: `header.${name}`, message },
  ]);
}
