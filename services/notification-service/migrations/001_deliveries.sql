-- notification-service schema: which events it has handled, and every delivery it attempted.

-- A subscription handler records the event id in the same transaction as its effect's
-- bookkeeping, so a redelivered event is acknowledged and skipped.
create table processed_events (
  consumer      text not null,
  event_id      text not null,
  processed_at  timestamptz not null default now(),
  primary key (consumer, event_id)
);
create index processed_events_at on processed_events (processed_at);

-- One row per reminder occurrence that reached its instant (instance id = the Dapr job name).
create table deliveries (
  instance_id     text primary key,
  reminder_id     uuid not null,
  task_id         uuid not null,
  user_id         text not null,
  occurrence_key  text not null,
  due_at          timestamptz not null,
  status          text not null check (status in ('sending', 'sent', 'skipped', 'failed')),
  recipient       text,
  message_id      text,
  reason          text,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now()
);
create index deliveries_failed on deliveries (updated_at) where status = 'failed';
create index deliveries_reminder on deliveries (reminder_id);
