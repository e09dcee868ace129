import type { Preferences, PreferencesPatch } from "@nudge/contracts";
import type { Sql } from "@nudge/db";
import { invalid } from "../http/problem.ts";
import { canonicalTimeZone } from "../tasks/validate.ts";

type Db = Sql | import("postgres").TransactionSql;

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

export async function getPreferences(sql: Sql, userId: string): Promise<Preferences> {
  await ensureUser(sql, userId);
  const [row] = await sql<{ time_zone: string; email: string | null }[]>`
    select time_zone, email from users where id = ${userId}`;
  return { timeZone: row?.time_zone ?? "UTC", email: row?.email ?? null };
}

export async function updatePreferences(
  sql: Sql,
  userId: string,
  patch: PreferencesPatch,
): Promise<Preferences> {
  const timeZone =
    patch.timeZone === undefined ? undefined : canonicalTimeZone(patch.timeZone, "body.timeZone");
  if (patch.email !== undefined && patch.email !== null && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(patch.email)) {
    throw invalid("body.email", "must be an email address");
  }
  await ensureUser(sql, userId);
  const [row] = await sql<{ time_zone: string; email: string | null }[]>`
    update users set
      time_zone = coalesce(${timeZone ?? null}, time_zone),
      email = case when ${patch.email !== undefined} then ${patch.email ?? null} else email end,
      updated_at = now()
    where id = ${userId}
    returning time_zone, email`;
  return { timeZone: row?.time_zone ?? "UTC", email: row?.email ?? null };
}
