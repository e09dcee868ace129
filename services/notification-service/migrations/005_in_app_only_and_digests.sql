-- 'notified': the occurrence reached the user as an in-app notification only (reminder emails
-- off, or no address), and is done like a sent one.
alter table deliveries drop constraint deliveries_status_check;
alter table deliveries add constraint deliveries_status_check
  check (status in ('sending', 'sent', 'notified', 'skipped', 'failed'));

-- One row per user and local day: the daily digest's exactly-once record. It is written before
-- task-api is told the day is claimed, so a crash between the two repeats the claim, never the
-- digest. The email goes out with the id as its Idempotency-Key.
create table digests (
  id          text primary key,                     -- 'digest-<user>-<YYYY-MM-DD>'
  user_id     text not null,
  day         date not null,
  due_at      timestamptz not null,                 -- the digest's instant (local time in the user's zone)
  status      text not null default 'pending'
              check (status in ('pending', 'sending', 'sent', 'empty', 'skipped', 'failed')),
  attempts    integer not null default 0,
  -- Digests are sent in chunks (one Resend batch request each); the chunk id is the request's
  -- Idempotency-Key, and a chunk is retried whole, so the provider never sees a digest twice.
  chunk_id    text,
  lease_until timestamptz,                          -- its chunk's sender holds it until then
  recipient   text,
  message_id  text,
  reason      text,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  unique (user_id, day)
);
create index digests_pending on digests (due_at, id) where status = 'pending';
create index digests_sending on digests (lease_until) where status = 'sending';
create index digests_chunk on digests (chunk_id) where status = 'sending';
