import type { Tag, TagCreate, TagPatch } from "@nudge/contracts";
import type { Sql } from "@nudge/db";
import { conflict, notFound } from "@nudge/http";
import type { TransactionSql } from "postgres";
import { enqueueTaskChange } from "../outbox/enqueue.ts";
import { TASK_COLUMNS, type TaskRow, toTask } from "../tasks/model.ts";
import { ensureUser } from "../users/service.ts";

interface TagRow {
  id: string;
  name: string;
  color: string | null;
  created_at: Date;
}

const toTag = (row: TagRow): Tag => ({
  id: row.id,
  name: row.name,
  color: row.color,
  createdAt: row.created_at.toISOString(),
});

const UNIQUE_VIOLATION = "23505";
const isUniqueViolation = (error: unknown) => (error as { code?: string })?.code === UNIQUE_VIOLATION;

/**
 * Renaming or deleting a tag changes every task that carries it, so each of those tasks gets
 * a new version and a task.updated event, like any other change to a task.
 */
async function touchTasksTagged(
  tx: TransactionSql,
  userId: string,
  tagId: string,
  apply: () => Promise<unknown>,
) {
  const before = await tx.unsafe<TaskRow[]>(
    `select ${TASK_COLUMNS} from tasks t join task_tags x on x.task_id = t.id
     where x.tag_id = $1 and t.user_id = $2 order by t.id for update of t`,
    [tagId, userId],
  );
  await apply();
  for (const row of before) {
    const [updated] = await tx.unsafe<TaskRow[]>(
      `with bumped as (update tasks set version = version + 1, updated_at = now() where id = $1 returning *)
       select ${TASK_COLUMNS} from bumped t`,
      [row.id],
    );
    if (!updated) continue;
    await enqueueTaskChange(tx, {
      type: "task.updated",
      task: toTask(updated),
      userId,
      changedFields: ["tags"],
    });
  }
}

export function tagsService(sql: Sql) {
  return {
    async list(userId: string): Promise<Tag[]> {
      const rows = await sql<TagRow[]>`
        select id, name, color, created_at from tags where user_id = ${userId} order by lower(name), id`;
      return rows.map(toTag);
    },

    async create(userId: string, input: TagCreate, outer?: TransactionSql): Promise<Tag> {
      const db = outer ?? sql;
      await ensureUser(db, userId);
      try {
        const [row] = await db<TagRow[]>`
          insert into tags (id, user_id, name, color)
          values (${Bun.randomUUIDv7()}, ${userId}, ${input.name.trim()}, ${input.color ?? null})
          returning id, name, color, created_at`;
        return toTag(row as TagRow);
      } catch (error) {
        if (isUniqueViolation(error))
          throw conflict(`a tag named '${input.name.trim()}' exists`, "body.name");
        throw error;
      }
    },

    async update(userId: string, id: string, patch: TagPatch): Promise<Tag> {
      try {
        return await sql.begin(async (tx) => {
          const [current] = await tx<TagRow[]>`
            select id, name, color, created_at from tags where id = ${id} and user_id = ${userId} for update`;
          if (!current) throw notFound(`tag ${id}`);
          const name = patch.name?.trim() ?? current.name;
          const color = patch.color === undefined ? current.color : patch.color;
          const rename = async () => {
            await tx`update tags set name = ${name}, color = ${color} where id = ${id}`;
            // Recurring series carry tag names into their next occurrences.
            await tx`update series set tags = array_replace(tags, ${current.name}, ${name})
                     where user_id = ${userId} and ${current.name} = any(tags)`;
          };
          if (name !== current.name) await touchTasksTagged(tx, userId, id, rename);
          else await rename();
          return toTag({ ...current, name, color });
        });
      } catch (error) {
        if (isUniqueViolation(error))
          throw conflict(`a tag named '${patch.name?.trim()}' exists`, "body.name");
        throw error;
      }
    },

    /** Deleting a tag detaches it from its tasks; the tasks stay. */
    async remove(userId: string, id: string): Promise<void> {
      await sql.begin(async (tx) => {
        const [current] = await tx`select id from tags where id = ${id} and user_id = ${userId} for update`;
        if (!current) throw notFound(`tag ${id}`);
        const [tag] = await tx<{ name: string }[]>`select name from tags where id = ${id}`;
        await touchTasksTagged(tx, userId, id, async () => {
          await tx`delete from tags where id = ${id}`;
          // Next occurrences of recurring series no longer bring the tag back.
          await tx`update series set tags = array_remove(tags, ${tag?.name ?? ""})
                   where user_id = ${userId} and ${tag?.name ?? ""} = any(tags)`;
        });
      });
    },
  };
}
