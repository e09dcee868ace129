-- task-api schema: users, tasks, tags, reminders, the outbox and idempotency records.
-- Runs with search_path set to the service's schema (see @nudge/db migrate).

create table users (
  id          text primary key,                      -- the JWT `sub`
  time_zone   text not null default 'UTC',
  email       text,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now()
);

create table tasks (
  id            uuid primary key,
  user_id       text not null references users (id) on delete cascade,
  title         text not null,
  description   text not null default '',
  status        text not null default 'open' check (status in ('open', 'completed')),
  -- none=0 … urgent=4, so "priority ≥" and sorting are plain comparisons.
  priority      smallint not null default 0 check (priority between 0 and 4),
  due_at        timestamptz,
  time_zone     text not null,
  completed_at  timestamptz,
  recurrence    text,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  version       integer not null default 1,
  search        tsvector generated always as (
                  setweight(to_tsvector('simple', title), 'A') ||
                  setweight(to_tsvector('simple', description), 'B')) stored
);

-- Every list sort is keyset-paginated on (key, id) within one user's rows.
create index tasks_user_due      on tasks (user_id, (coalesce(due_at, 'infinity'::timestamptz)), id);
create index tasks_user_priority on tasks (user_id, priority, id);
create index tasks_user_created  on tasks (user_id, created_at, id);
create index tasks_user_updated  on tasks (user_id, updated_at, id);
create index tasks_user_title    on tasks (user_id, lower(title), id);
create index tasks_user_open_due on tasks (user_id, due_at) where status = 'open';
create index tasks_user_recurring on tasks (user_id) where recurrence is not null;
create index tasks_search        on tasks using gin (search);

create table tags (
  id          uuid primary key,
  user_id     text not null references users (id) on delete cascade,
  name        text not null,
  color       text,
  created_at  timestamptz not null default now()
);
create unique index tags_user_name on tags (user_id, lower(name));

create table task_tags (
  task_id  uuid not null references tasks (id) on delete cascade,
  tag_id   uuid not null references tags (id) on delete cascade,
  primary key (task_id, tag_id)
);
create index task_tags_tag on task_tags (tag_id, task_id);

-- Reminders per task; their scheduling semantics live with the notification flow.
create table reminders (
  id          uuid primary key,
  task_id     uuid not null references tasks (id) on delete cascade,
  user_id     text not null references users (id) on delete cascade,
  at          timestamptz,
  before      interval,
  created_at  timestamptz not null default now(),
  check ((at is null) <> (before is null))
);
create index reminders_task on reminders (task_id);

-- Transactional outbox: written in the same transaction as the change it announces.
create table outbox (
  seq            bigserial primary key,              -- commit order per task (rows of one task are written under its row lock)
  id             uuid not null unique,               -- the CloudEvent id
  topic          text not null,
  partition_key  text not null,
  event          jsonb not null,                     -- the complete CloudEvent
  created_at     timestamptz not null default now(),
  sent_at        timestamptz,
  attempts       integer not null default 0,
  last_error     text
);
create index outbox_unsent on outbox (seq) where sent_at is null;
create index outbox_sent_at on outbox (sent_at) where sent_at is not null;

-- Idempotency-Key records: a replay within 24 h returns the first response.
create table idempotency_keys (
  user_id        text not null,
  key            text not null,
  request_hash   text not null,
  status         integer,
  headers        jsonb,
  body           jsonb,
  created_at     timestamptz not null default now(),
  primary key (user_id, key)
);
create index idempotency_keys_created on idempotency_keys (created_at);
