import type { Sql } from "@nudge/db";
import { ProblemError } from "@nudge/http";
import type { TransactionSql } from "postgres";
import { requestHash, runIdempotent, type StoredResponse } from "../idempotency/store.ts";

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
  });
}

function replayable(stored: StoredResponse & { replayed: boolean }): Response {
  return json(stored.body ?? undefined, stored.status, {
    ...stored.headers,
    ...(stored.replayed ? { "idempotent-replayed": "true" } : {}),
  });
}

/**
 * A POST that is safe to retry: run at most once per (user, Idempotency-Key), its effect in the
 * key's transaction; a retry gets the first response back, marked Idempotent-Replayed.
 */
export async function oncePerKey(
  sql: Sql,
  request: { userId: string; key: string | undefined; path: string; body: unknown },
  run: (tx: TransactionSql) => Promise<StoredResponse>,
): Promise<Response> {
  const hash = requestHash("POST", request.path, request.body);
  return replayable(await runIdempotent(sql, request.userId, request.key, hash, run));
}

export function badHeader(name: string, message: string): ProblemError {
  return new ProblemError(400, "invalid-header", "Invalid header", `${name}: ${message}`, [
    { field: `header.${name}`, message },
  ]);
}
