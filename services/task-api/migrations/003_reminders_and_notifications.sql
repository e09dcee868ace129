-- Reminder scheduling state and the in-app notifications feed.

-- fires_at: the instant the reminder is armed for (null while disarmed: task completed, relative
-- reminder without a due date, or its instant already passed when it was last recomputed).
-- occurrence_key: '<reminder id>:<fires_at epoch ms>', null exactly when fires_at is null;
-- notification-service names one Dapr job (and sends at most one email) per key.
-- snoozed_until: overrides the reminder's own instant while it lies in the future.
alter table reminders
  add column snoozed_until  timestamptz,
  add column fires_at       timestamptz,
  add column occurrence_key text,
  add constraint reminders_armed_has_key check ((fires_at is null) = (occurrence_key is null));

create index reminders_task_created on reminders (task_id, created_at, id);
drop index if exists reminders_task;

create table notifications (
  id           uuid primary key,
  user_id      text not null references users (id) on delete cascade,
  -- The feed outlives the task or reminder it was about.
  task_id      uuid references tasks (id) on delete set null,
  reminder_id  uuid references reminders (id) on delete set null,
  delivery_id  text not null unique,                 -- the delivery workflow's instance id
  title        text not null,
  body         text not null,
  created_at   timestamptz not null default now(),
  read_at      timestamptz
);

-- "Unread first, then newest" is keyset-paginated on (unread, created_at, id), read backwards.
create index notifications_feed on notifications (user_id, (read_at is null), created_at, id);
create index notifications_unread on notifications (user_id) where read_at is null;
