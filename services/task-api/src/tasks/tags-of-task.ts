import type { TransactionSql } from "postgres";

/** Make the task's tags exactly `names`, creating unknown tags for the user (case-insensitive). */
export async function setTaskTags(tx: TransactionSql, userId: string, taskId: string, names: string[]) {
  if (names.length) {
    const rows = names.map((name) => ({ id: Bun.randomUUIDv7(), user_id: userId, name }));
    await tx`insert into tags ${tx(rows, "id", "user_id", "name")} on conflict (user_id, lower(name)) do nothing`;
  }
  const lowered = names.map((name) => name.toLowerCase());
  await tx`
    delete from task_tags tt using tags g
    where tt.task_id = ${taskId} and g.id = tt.tag_id and not (lower(g.name) = any(${lowered}::text[]))`;
  if (names.length) {
    await tx`
      insert into task_tags (task_id, tag_id)
      select ${taskId}, id from tags where user_id = ${userId} and lower(name) = any(${lowered}::text[])
      on conflict do nothing`;
  }
}

/**
 * Tag a new task in one round trip: create the user's missing tags and link them all. Returns
 * the stored spellings, or undefined when a tag created concurrently by another transaction was
 * not visible to this statement — the caller then falls back to setTaskTags.
 */
export async function tagNewTask(
  tx: TransactionSql,
  userId: string,
  taskId: string,
  names: string[],
): Promise<string[] | undefined> {
  const ids = names.map(() => Bun.randomUUIDv7());
  const rows = await tx<{ name: string }[]>`
    with wanted (id, name) as (select * from unnest(${ids}::uuid[], ${names}::text[])),
    created as (
      insert into tags (id, user_id, name) select id, ${userId}, name from wanted
      on conflict (user_id, lower(name)) do nothing
      returning id, name),
    existing as (
      select g.id, g.name from tags g join wanted w on lower(g.name) = lower(w.name) where g.user_id = ${userId}),
    tagged as (select id, name from created union select id, name from existing),
    linked as (insert into task_tags (task_id, tag_id) select ${taskId}, id from tagged)
    select name from tagged`;
  return rows.length === names.length ? rows.map((row) => row.name) : undefined;
}
