-- Outbox rows that cannot be published are parked instead of retried forever: kept (never
-- pruned), counted in /metrics, listed and replayed by operators (./nudge outbox). A row being
-- retried waits until next_attempt_at, and its task's later rows wait behind it; other tasks'
-- rows are never selected behind it.
alter table outbox
  add column parked_at timestamptz,
  add column next_attempt_at timestamptz;

drop index outbox_unsent;
-- What the relay reads: pending rows in commit order, and per task to find what waits behind a
-- retrying row.
create index outbox_pending on outbox (seq) where sent_at is null and parked_at is null;
create index outbox_pending_by_key on outbox (partition_key, seq) where sent_at is null and parked_at is null;
create index outbox_parked on outbox (parked_at, seq) where parked_at is not null;
