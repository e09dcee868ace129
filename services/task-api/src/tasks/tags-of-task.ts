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
