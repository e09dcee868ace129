-- Recurring tasks. A series holds the rule, its anchor (DTSTART, the first due instant), the zone
-- it is evaluated in, and the template each next occurrence is built from ("this and future"
-- edits change the template; "this occurrence only" edits change just the task). Each occurrence
-- index of a series exists at most once: that unique pair is what makes creating the next task
-- idempotent, however often the workflow asks.
create table series (
  id           uuid primary key,
  user_id      text not null references users (id) on delete cascade,
  rule         text not null,
  anchor       timestamptz not null,
  time_zone    text not null,
  mode         text not null default 'due' check (mode in ('due', 'completion')),
  skip_missed  boolean not null default false,
  title        text not null,
  description  text not null default '',
  priority     smallint not null default 0,
  tags         text[] not null default '{}',
  stopped_at   timestamptz,                          -- the user stopped it
  ended_at     timestamptz,                          -- COUNT/UNTIL reached (task.recurring.ended sent)
  created_at   timestamptz not null default now(),
  updated_at   timestamptz not null default now()
);
create index series_user on series (user_id);

alter table tasks
  add column series_id        uuid references series (id),
  add column occurrence_index integer,
  add constraint tasks_series_has_index check ((series_id is null) = (occurrence_index is null));
create unique index tasks_series_occurrence on tasks (series_id, occurrence_index);

-- Recurring tasks from before series existed start one each (a rule without a due date has no
-- first occurrence, so those stay plain tasks with a rule until they get one).
insert into series (id, user_id, rule, anchor, time_zone, title, description, priority, tags)
select t.id, t.user_id, t.recurrence, t.due_at, t.time_zone, t.title, t.description, t.priority,
       coalesce((select array_agg(g.name order by g.name) from task_tags tt join tags g on g.id = tt.tag_id
                 where tt.task_id = t.id), '{}')
from tasks t where t.recurrence is not null and t.due_at is not null;
update tasks set series_id = id, occurrence_index = 0 where recurrence is not null and due_at is not null;
