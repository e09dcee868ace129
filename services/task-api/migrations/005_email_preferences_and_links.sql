-- What a person receiving reminder emails can change from the email itself, and the record of
-- the signed links they used.

-- reminder_emails: off after an unsubscribe (in-app notifications continue).
-- digest_*: the optional daily digest at a local time of day in the user's zone. digest_next_at is
-- the instant of the next digest still to be claimed and digest_next_day the local date it is
-- for (both null while the digest is off); digest_last_day the local date of the last digest
-- notification-service claimed, so a change of time or zone never yields a second digest for
-- the same local day.
alter table users
  add column reminder_emails boolean not null default true,
  add column digest_enabled  boolean not null default false,
  add column digest_time     time not null default '08:00',
  add column digest_next_at  timestamptz,
  add column digest_next_day date,
  add column digest_last_day date,
  add constraint users_digest_scheduled check (
    digest_enabled = (digest_next_at is not null) and (digest_next_at is null) = (digest_next_day is null));

-- The digest's tick asks for every user whose digest is due, oldest first.
create index users_digest_due on users (digest_next_at) where digest_next_at is not null;

-- A single-use link (mark done, snooze, undo) is used once: its id is recorded in the same
-- transaction as the action it took, so a second use finds the first and changes nothing.
create table email_link_uses (
  link_id    text primary key,                       -- a digest of the link's signed claims
  user_id    text not null references users (id) on delete cascade,
  action     text not null,
  task_id    uuid,                                   -- the task outlives nothing here: no foreign key
  outcome    text not null,                          -- what the page said happened
  used_at    timestamptz not null default now()
);
create index email_link_uses_used_at on email_link_uses (used_at);
