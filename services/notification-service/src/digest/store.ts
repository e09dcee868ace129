import type { Sql } from "@nudge/db";

export interface DigestRow {
  id: string;
  user_id: string;
  day: string;
  due_at: Date;
  chunk_id: string;
  attempts: number;
}

export type DigestOutcome =
  | { id: string; status: "sent"; recipient: string; messageId: string | null }
  | { id: string; status: "empty" | "skipped" | "failed"; reason: string };

/** The digest's exactly-once record: one row per (user, local day), in notification-service's schema. */
export function digestStore(sql: Sql) {
  return {
    /**
     * Records the digests task-api reported due; a repeat adds nothing. Those later than
     * `maxLatenessMs` (the service was down for hours) are recorded as skipped, not sent.
     */
    async record(
      items: Array<{ userId: string; day: string; at: string }>,
      now: Date,
      maxLatenessMs: number,
    ) {
      if (!items.length) return 0;
      const rows = await sql`
        insert into digests (id, user_id, day, due_at, status, reason)
        select 'digest-' || i.user_id || '-' || i.day, i.user_id, i.day::date, i.at,
               case when ${now} - i.at > make_interval(secs => ${maxLatenessMs / 1000}) then 'skipped' else 'pending' end,
               case when ${now} - i.at > make_interval(secs => ${maxLatenessMs / 1000}) then 'too late: the digest''s day was missed' end
        from unnest(${items.map((i) => i.userId)}::text[], ${items.map((i) => i.day)}::text[],
                    ${items.map((i) => i.at)}::timestamptz[]) as i(user_id, day, at)
        on conflict (user_id, day) do nothing
        returning id`;
      return rows.length;
    },

    /**
     * The next chunk to send, leased: an earlier chunk whose lease ran out (its sender died) comes
     * back whole, with the same members and chunk id — the chunk id is the batch's
     * Idempotency-Key, so a chunk the provider accepted before is never sent twice. Otherwise up
     * to `size` pending digests, oldest first, form a new chunk. Replicas skip each other's rows.
     */
    async claimChunk(size: number, leaseMs: number): Promise<DigestRow[]> {
      return sql.begin(async (tx) => {
        const lease = tx`now() + make_interval(secs => ${leaseMs / 1000})`;
        const [expired] = await tx<{ chunk_id: string }[]>`
          select chunk_id from digests where status = 'sending' and lease_until < now()
          order by due_at limit 1 for update skip locked`;
        if (expired) {
          return tx<DigestRow[]>`
            update digests set lease_until = ${lease}, attempts = attempts + 1, updated_at = now()
            where chunk_id = ${expired.chunk_id} and status = 'sending'
            returning id, user_id, to_char(day, 'YYYY-MM-DD') as day, due_at, chunk_id, attempts`;
        }
        const chunk = Bun.randomUUIDv7();
        return tx<DigestRow[]>`
          update digests set status = 'sending', chunk_id = ${chunk}, lease_until = ${lease},
                             attempts = attempts + 1, updated_at = now()
          where id in (select id from digests where status = 'pending' and due_at <= now()
                       order by due_at, id limit ${size} for update skip locked)
          returning id, user_id, to_char(day, 'YYYY-MM-DD') as day, due_at, chunk_id, attempts`;
      });
    },

    async finish(outcomes: DigestOutcome[]) {
      if (!outcomes.length) return;
      await sql`
        update digests d set status = o.status, recipient = o.recipient, message_id = o.message_id,
                             reason = o.reason, lease_until = null, updated_at = now()
        from unnest(${outcomes.map((o) => o.id)}::text[], ${outcomes.map((o) => o.status)}::text[],
                    ${outcomes.map((o) => (o.status === "sent" ? o.recipient : null))}::text[],
                    ${outcomes.map((o) => (o.status === "sent" ? o.messageId : null))}::text[],
                    ${outcomes.map((o) => (o.status === "sent" ? null : o.reason))}::text[])
             as o(id, status, recipient, message_id, reason)
        where d.id = o.id and d.status = 'sending'`;
    },

    /** A chunk that could not be sent this time goes back to its lease's end (retried then, whole). */
    async release(chunkId: string, reason: string, retryInMs: number) {
      await sql`
        update digests set lease_until = now() + make_interval(secs => ${retryInMs / 1000}), reason = ${reason},
                           updated_at = now()
        where chunk_id = ${chunkId} and status = 'sending'`;
    },
  };
}

export type DigestStore = ReturnType<typeof digestStore>;
