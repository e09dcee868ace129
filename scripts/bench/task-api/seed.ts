import type { Sql } from "../../../packages/db/src/index.ts";

/** Ten verbs × twenty nouns make the titles, so a noun matches one task in twenty. */
const VERBS = ["plan", "review", "call", "email", "buy", "fix", "write", "book", "pay", "clean"];
const NOUNS = [
  "invoice",
  "dentist",
  "groceries",
  "report",
  "slides",
  "garden",
  "taxes",
  "car",
  "flight",
  "budget",
  "newsletter",
  "contract",
  "birthday",
  "laundry",
  "roadmap",
  "insurance",
  "meeting",
  "kitchen",
  "backup",
  "passport",
];
const TAGS = ["home", "work", "errands", "health", "finance", "family", "travel", "someday"];

/** The word the search measurement looks for. */
export const SEARCH_WORD = NOUNS[0] as string;

/**
 * `count` tasks for one user, written set-based in a few statements (a create loop through the
 * API would take minutes). The mix is deterministic: 30 % completed, priorities spread evenly,
 * three in four with a due date from 30 days ago to 90 days ahead, one or two tags each.
 */
export async function seedTasks(sql: Sql, userId: string, count: number): Promise<{ matches: number }> {
  await sql`insert into users (id) values (${userId}) on conflict do nothing`;
  await sql`
    insert into tags (id, user_id, name)
    select gen_random_uuid(), ${userId}, name from unnest(${TAGS}::text[]) name
    on conflict do nothing`;
  // Ids derive from the row number, so task_tags can find its tasks without reading them back;
  // the version and variant nibbles make them UUIDv4-shaped, as the API's uuid format demands.
  await sql`
    insert into tasks (id, user_id, title, description, status, priority, due_at, time_zone, completed_at,
                       created_at, updated_at)
    select overlay(overlay(md5(${userId} || i) placing '4' from 13) placing '8' from 17)::uuid, ${userId},
           initcap((${VERBS}::text[])[1 + i % 10]) || ' ' || (${NOUNS}::text[])[1 + (i / 10) % 20] || ' #' || i,
           case when i % 3 = 0 then 'Notes on the ' || (${NOUNS}::text[])[1 + (i / 10) % 20] else '' end,
           case when i % 10 < 3 then 'completed' else 'open' end,
           (i * 7) % 5,
           case when i % 4 = 0 then null else now() + ((i % 120) - 30) * interval '1 day' end,
           'UTC',
           case when i % 10 < 3 then now() - interval '1 hour' end,
           now() - i * interval '1 minute', now() - i * interval '1 minute'
    from generate_series(1, ${count}::int) i`;
  await sql`
    insert into task_tags (task_id, tag_id)
    select overlay(overlay(md5(${userId} || i) placing '4' from 13) placing '8' from 17)::uuid, tag.ids[1 + k]
    from generate_series(1, ${count}::int) i,
         (select array_agg(id order by name) ids from tags where user_id = ${userId}) tag,
         unnest(case when i % 3 = 0 then array[i % 8, (i + 3) % 8] else array[i % 8] end) k`;
  // A service's tables are vacuumed and analyzed long before they hold 100 000 rows; without
  // it the planner would guess and the first reads would set hint bits.
  await sql.unsafe("vacuum (analyze) tasks, tags, task_tags");
  const [row] = await sql<{ matches: number }[]>`
    select count(*)::int as matches from tasks
    where user_id = ${userId} and search @@ to_tsquery('simple', ${`${SEARCH_WORD}:*`})`;
  return { matches: row?.matches ?? 0 };
}
