-- One POST /tasks as SQL: the statements tasksService.create sends in its transaction, in order,
-- so pgbench gives the ceiling the API could reach on this Postgres. Run by scripts/bench/task-api.ts
-- with -M prepared (postgres.js prepares its statements too), PGOPTIONS search_path=task_api,public
-- and -D users=N (how many users the load is spread over, as in the API run).
\set user_n random(1, :users)
\set task_bits random(0, 4611686018427387903)
\set title_n random(1, 1000000)
\set due_hours random(1, 720)
\set tag_a random(0, 7)
\set tag_b (:tag_a + 3) % 8

begin;

-- ensureUser. The app mints its ids (UUIDv7) client-side; pgbench can only make numbers, so this
-- round trip, which the app makes anyway, also returns the ids: UUIDv7-shaped (ms clock, version
-- and variant nibbles), so the primary-key btrees see the app's append pattern and the ids pass
-- the API's uuid format check.
with created as (
  insert into users (id) values ('bench-user-' || :user_n) on conflict (id) do nothing returning time_zone
), found as (
  select time_zone from created
  union all select time_zone from users where id = 'bench-user-' || :user_n
  limit 1
), minted as (
  select array_agg((ms || '7' || substr(r, 1, 3) || '8' || substr(r, 4))::uuid order by k) as ids
  from (select lpad(to_hex((extract(epoch from clock_timestamp()) * 1000)::bigint), 12, '0') as ms) clock,
       lateral (select k, lpad(to_hex(:task_bits::bigint + k), 18, '0') as r from generate_series(0, 2) k) bits
)
-- A user inserted by a concurrent, not yet visible transaction yields no row: UTC, as the app does.
select 'bench-user-' || :user_n as user_id, coalesce((select time_zone from found), 'UTC') as time_zone,
       minted.ids[1] as task_id, minted.ids[2] as event_id, minted.ids[3] as update_id
from minted
\gset

insert into tasks (id, user_id, title, description, priority, due_at, time_zone, recurrence)
values (:task_id::uuid, :user_id, 'Prepare quarterly report ' || :title_n, '', 0,
        now() + :due_hours * interval '1 hour', :time_zone, null)
returning id, user_id, title, description, status, priority, due_at, time_zone, completed_at,
  recurrence, created_at, updated_at, version;

-- tagNewTask: create the missing tags and link them all in one statement (both tags usually
-- exist already, so the insert mostly takes the conflict path).
with wanted (id, name) as (
  select * from unnest(array[gen_random_uuid(), gen_random_uuid()], array['tag-' || :tag_a, 'tag-' || :tag_b])),
created as (
  insert into tags (id, user_id, name) select id, :user_id, name from wanted
  on conflict (user_id, lower(name)) do nothing
  returning id, name),
existing as (
  select g.id, g.name from tags g join wanted w on lower(g.name) = lower(w.name) where g.user_id = :user_id),
tagged as (select id, name from created union select id, name from existing),
linked as (insert into task_tags (task_id, tag_id) select :task_id::uuid, id from tagged)
select name from tagged;

-- enqueueTaskChange: the full snapshot and the slim projection, and the NOTIFY, in one statement as
-- the app sends it; each row a complete CloudEvent of the size the app writes (about 0.8 and 0.6 kB).
with queued as (
insert into outbox (id, topic, partition_key, event) values
  (:event_id::uuid, 'task-events', :task_id, jsonb_build_object(
    'specversion', '1.0', 'id', :event_id::text, 'type', 'task.created', 'source', '/task-api',
    'subject', :task_id::text, 'time', clock_timestamp(), 'datacontenttype', 'application/json',
    'data', jsonb_build_object(
      'schemaVersion', 1, 'version', 1,
      'changedFields', jsonb_build_array('title', 'description', 'status', 'priority', 'tags', 'dueAt',
                                         'timeZone', 'recurrence'),
      'task', jsonb_build_object(
        'id', :task_id::text, 'title', 'Prepare quarterly report ' || :title_n, 'description', '',
        'status', 'open', 'priority', 'none', 'tags', jsonb_build_array('tag-' || :tag_a, 'tag-' || :tag_b),
        'dueAt', now() + :due_hours * interval '1 hour', 'timeZone', :time_zone::text,
        'completedAt', null, 'recurrence', null, 'createdAt', now(), 'updatedAt', now(), 'version', 1,
        'userId', :user_id::text)))),
  (:update_id::uuid, 'task-updates', :task_id, jsonb_build_object(
    'specversion', '1.0', 'id', :update_id::text, 'type', 'task.changed', 'source', '/task-api',
    'subject', :task_id::text, 'time', clock_timestamp(), 'datacontenttype', 'application/json',
    'data', jsonb_build_object(
      'schemaVersion', 1, 'taskId', :task_id::text, 'userId', :user_id::text, 'change', 'task.created',
      'version', 1, 'title', 'Prepare quarterly report ' || :title_n, 'status', 'open', 'priority', 'none',
      'dueAt', now() + :due_hours * interval '1 hour', 'updatedAt', now())))
)
select pg_notify('nudge_outbox', '');

commit;
