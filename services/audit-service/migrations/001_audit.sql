-- audit-service schema: the append-only history of task-events, the last snapshot of each task
-- (for before/after values), and the messages parked on dlq-events.

-- One row per event, never updated; only the retention job deletes. `seq` is the ingest order
-- (a task's events arrive in order: the partition key is the task id).
create table audit_events (
  event_id     text primary key,
  seq          bigint generated always as identity,
  type         text not null,
  task_id      uuid not null,
  user_id      text not null,
  actor        text not null,
  occurred_at  timestamptz not null,
  version      integer,
  changes      jsonb not null,
  event        jsonb not null,
  recorded_at  timestamptz not null default now()
);
create unique index audit_events_seq on audit_events (seq);
create index audit_events_task on audit_events (task_id, seq desc);
create index audit_events_user on audit_events (user_id, seq desc);
create index audit_events_occurred on audit_events (occurred_at);

-- The task as the last event showed it: the "before" of the next change. Events carry the state
-- after a change; keeping the previous one here needs no change to the event contract.
create table task_snapshots (
  task_id   uuid primary key,
  version   integer not null,
  snapshot  jsonb not null
);

-- Messages parked on dlq-events, once per (original topic, event id); parking it again counts.
create table dead_letters (
  topic         text not null,
  event_id      text not null,
  type          text not null,
  reason        text not null,
  partition_key text,
  event         jsonb not null,
  status        text not null default 'parked' check (status in ('parked', 'replayed')),
  times_parked  integer not null default 1,
  parked_at     timestamptz not null default now(),
  replayed_at   timestamptz,
  primary key (topic, event_id)
);
create index dead_letters_parked on dead_letters (parked_at desc) where status = 'parked';
