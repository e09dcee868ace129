import { TIME_ZONES } from "@nudge/contracts";
import type { Sql } from "@nudge/db";

/**
 * The contract's zones must all be known to this PostgreSQL (its tzdata may be older than Bun's):
 * a zone it lacks would be accepted by the API and then fail every query that converts with it.
 * Checked once at start; the message names the missing zones.
 */
export async function checkTimeZones(sql: Sql): Promise<void> {
  const rows = await sql<{ name: string }[]>`
    select z from unnest(${TIME_ZONES as unknown as string[]}::text[]) as z
    where z not in (select name from pg_timezone_names)`;
  if (rows.length) {
    throw new Error(
      `PostgreSQL does not know ${rows.length} time zone(s) the API accepts: ${rows
        .map((r) => Object.values(r)[0])
        .join(", ")} — update its tzdata`,
    );
  }
}
