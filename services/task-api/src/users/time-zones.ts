import { TIME_ZONES } from "@nudge/contracts";
import type { Sql } from "@nudge/db";
import { invalid } from "@nudge/http";
import type { Logger } from "@nudge/service";

const ZONES = new Set<string>(TIME_ZONES);

/**
 * A zone the contract's TimeZone accepted (both Bun and PostgreSQL know it, canonical spelling).
 * The route schema already refused anything else; this guards callers that bypass a schema.
 */
export function canonicalTimeZone(name: string, field: string): string {
  if (!ZONES.has(name)) throw invalid(field, `'${name}' is not an IANA time zone (e.g. Europe/Berlin)`);
  return name;
}

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
    throw new MissingTimeZones(
      `PostgreSQL does not know ${rows.length} time zone(s) the API accepts: ${rows
        .map((r) => Object.values(r)[0])
        .join(", ")} — update its tzdata`,
    );
  }
}

export class MissingTimeZones extends Error {}

/** checkTimeZones as soon as the database answers; missing zones stop the service (exit 2). */
export async function checkTimeZonesWhenReachable(sql: Sql, log: Logger, retryMs = 5000): Promise<void> {
  for (;;) {
    try {
      await checkTimeZones(sql);
      return;
    } catch (error) {
      if (error instanceof MissingTimeZones) {
        log.error("time zones", { error: error.message });
        process.exit(2);
      }
      await Bun.sleep(retryMs);
    }
  }
}
