import type { Preferences, PreferencesPatch } from "@nudge/contracts";
import type { Sql } from "@nudge/db";
import { invalid } from "@nudge/http";
import type { TransactionSql } from "postgres";
import { nextDigest } from "./digest-schedule.ts";
import { canonicalTimeZone } from "./time-zones.ts";

type Db = Sql | TransactionSql;

/** The user's row, created on first use with defaults; returns their time zone. */
export async function ensureUser(db: Db, userId: string): Promise<{ timeZone: string }> {
  const [row] = await db<{ time_zone: string }[]>`
    with created as (
      insert into users (id) values (${userId}) on conflict (id) do nothing returning time_zone
    )
    select time_zone from created union all select time_zone from users where id = ${userId} limit 1`;
  return { timeZone: row?.time_zone ?? "UTC" };
}

/** The user's time zone for reading ("today"); a user who never wrote anything has the default. */
export async function userTimeZone(db: Db, userId: string): Promise<string> {
  const [row] = await db<{ time_zone: string }[]>`select time_zone from users where id = ${userId}`;
  return row?.time_zone ?? "UTC";
}

interface UserRow {
  time_zone: string;
  email: string | null;
  reminder_emails: boolean;
  digest_enabled: boolean;
  digest_time: string;
  digest_next_at: Date | null;
  digest_last_day: string | null;
}

const USER_COLUMNS = `time_zone, email, reminder_emails, digest_enabled, to_char(digest_time, 'HH24:MI') as digest_time,
  digest_next_at, to_char(digest_last_day, 'YYYY-MM-DD') as digest_last_day`;

function toPreferences(row: UserRow): Preferences {
  return {
    timeZone: row.time_zone,
    email: row.email,
    reminderEmails: row.reminder_emails,
    digest: {
      enabled: row.digest_enabled,
      localTime: row.digest_time,
      nextAt: row.digest_next_at?.toISOString() ?? null,
    },
  };
}

const DEFAULTS: UserRow = {
  time_zone: "UTC",
  email: null,
  reminder_emails: true,
  digest_enabled: false,
  digest_time: "08:00",
  digest_next_at: null,
  digest_last_day: null,
};

/** A user's preferences as stored; a user who never wrote anything has the defaults. */
export async function readPreferences(db: Db, userId: string): Promise<Preferences> {
  const [row] = await db.unsafe<UserRow[]>(`select ${USER_COLUMNS} from users where id = $1`, [userId]);
  return toPreferences(row ?? DEFAULTS);
}

export async function getPreferences(sql: Sql, userId: string): Promise<Preferences> {
  await ensureUser(sql, userId);
  return readPreferences(sql, userId);
}

/** Whom a reminder about this user's task goes to, and how. */
export async function recipient(sql: Sql, userId: string) {
  const prefs = await getPreferences(sql, userId);
  return { userId, timeZone: prefs.timeZone, email: prefs.email, reminderEmails: prefs.reminderEmails };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * One change of preferences, the same from the REST API and from the settings page an email
 * links to. The digest's next instant is recomputed whenever its switch, time or the zone changes.
 * `outer` lets a caller share its transaction.
 */
export async function updatePreferences(
  sql: Sql,
  userId: string,
  patch: PreferencesPatch,
  outer?: TransactionSql,
): Promise<Preferences> {
  const timeZone =
    patch.timeZone === undefined ? undefined : canonicalTimeZone(patch.timeZone, "body.timeZone");
  if (patch.email !== undefined && patch.email !== null && !EMAIL.test(patch.email)) {
    throw invalid("body.email", "must be an email address");
  }
  const run = async (tx: TransactionSql) => {
    await ensureUser(tx, userId);
    const [before] = await tx.unsafe<UserRow[]>(
      `select ${USER_COLUMNS} from users where id = $1 for update`,
      [userId],
    );
    const row = before ?? DEFAULTS;
    const after: UserRow = {
      ...row,
      time_zone: timeZone ?? row.time_zone,
      email: patch.email !== undefined ? patch.email : row.email,
      reminder_emails: patch.reminderEmails ?? row.reminder_emails,
      digest_enabled: patch.digest?.enabled ?? row.digest_enabled,
      digest_time: patch.digest?.localTime ?? row.digest_time,
    };
    const rescheduled =
      after.digest_enabled !== row.digest_enabled ||
      after.digest_time !== row.digest_time ||
      after.time_zone !== row.time_zone;
    let next: { day: string; at: Date } | null | undefined;
    if (rescheduled) {
      next = after.digest_enabled
        ? nextDigest(after.digest_time, after.time_zone, new Date(), after.digest_last_day)
        : null;
      after.digest_next_at = next?.at ?? null;
    }
    const [stored] = await tx.unsafe<UserRow[]>(
      `update users set time_zone = $2, email = $3, reminder_emails = $4, digest_enabled = $5,
         digest_time = $6::time, digest_next_at = $7,
         digest_next_day = case when $8 then $9::date else digest_next_day end, updated_at = now()
       where id = $1 returning ${USER_COLUMNS}`,
      [
        userId,
        after.time_zone,
        after.email,
        after.reminder_emails,
        after.digest_enabled,
        after.digest_time,
        after.digest_next_at?.toISOString() ?? null,
        next !== undefined,
        next?.day ?? null,
      ],
    );
    return toPreferences(stored as UserRow);
  };
  return outer ? run(outer) : sql.begin(run);
}
