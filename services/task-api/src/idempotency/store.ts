import { IDEMPOTENCY_KEY_PATTERN } from "@nudge/contracts";
import type { Sql } from "@nudge/db";
import { ProblemError } from "@nudge/http";
import type { TransactionSql } from "postgres";

export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

const KEY = new RegExp(IDEMPOTENCY_KEY_PATTERN);

export function requestHash(method: string, path: string, body: unknown): string {
  return new Bun.CryptoHasher("sha256")
    .update(`${method} ${path}\n${JSON.stringify(body ?? null)}`)
    .digest("hex");
}

/**
 * Run a POST at most once per (user, Idempotency-Key) within 24 h. The key is claimed in the
 * same transaction as the effect, so a crash leaves either both or neither; a concurrent
 * duplicate waits on the key's row lock and then replays the first response.
 */
export async function runIdempotent(
  sql: Sql,
  userId: string,
  key: string | undefined,
  hash: string,
  run: (tx: TransactionSql) => Promise<StoredResponse>,
): Promise<StoredResponse & { replayed: boolean }> {
  if (key === undefined) return { ...(await sql.begin(run)), replayed: false };
  if (!KEY.test(key)) {
    throw new ProblemError(
      400,
      "invalid-header",
      "Invalid header",
      "Idempotency-Key must be 1-200 visible ASCII characters",
      [{ field: "header.idempotency-key", message: "must be 1-200 visible ASCII characters" }],
    );
  }
  return sql.begin(async (tx) => {
    // Claims a new key, or takes over one whose 24 hours have passed.
    const claimed = await tx`
      insert into idempotency_keys (user_id, key, request_hash) values (${userId}, ${key}, ${hash})
      on conflict (user_id, key) do update
        set request_hash = excluded.request_hash, status = null, headers = null, body = null, created_at = now()
        where idempotency_keys.created_at < now() - interval '24 hours'
      returning key`;
    if (!claimed.length) {
      const [first] = await tx<
        { request_hash: string; status: number; headers: Record<string, string>; body: unknown }[]
      >`
        select request_hash, status, headers, body from idempotency_keys where user_id = ${userId} and key = ${key}`;
      if (!first || first.request_hash !== hash) {
        throw new ProblemError(
          422,
          "idempotency-key-reused",
          "Idempotency-Key reused",
          "this Idempotency-Key was used for a different request in the last 24 hours",
          [{ field: "header.idempotency-key", message: "was used for a different request" }],
        );
      }
      return { status: first.status, headers: first.headers, body: first.body, replayed: true };
    }
    const response = await run(tx);
    await tx`
      update idempotency_keys set status = ${response.status}, headers = ${tx.json(response.headers)},
        body = ${tx.json(response.body as never)}
      where user_id = ${userId} and key = ${key}`;
    return { ...response, replayed: false };
  });
}
