-- Delivery by due bucket: occurrences wait here (not one Dapr job each) until their bucket's
-- job fires and its workflow claims them in pages and sends them in chunks.

-- One row per reminder occurrence notification-service has armed (delivery id = the name the
-- per-occurrence design gave its job, so notifications and event ids stay the same).
create table occurrences (
  delivery_id     text primary key,
  reminder_id     uuid not null,
  occurrence_key  text not null,
  task_id         uuid not null,
  user_id         text not null,
  due_at          timestamptz not null,
  -- The bucket (its start, epoch ms) and shard whose job and workflow deliver it.
  bucket          bigint not null,
  shard           smallint not null,
  state           text not null check (state in ('armed', 'cancelled', 'claimed')),
  -- Set by the claim: the bucket workflow's instance id, its claim page and chunk.
  claimed_by      text,
  claim_page      integer,
  chunk           integer,
  armed_at        timestamptz not null default now(),
  updated_at      timestamptz not null default now()
);
create index occurrences_armed on occurrences (bucket, shard, due_at, delivery_id) where state = 'armed';
create index occurrences_chunk on occurrences (claimed_by, chunk) where state = 'claimed';
create index occurrences_updated on occurrences (updated_at);

-- One row per (bucket, shard) that has a Dapr job: `fired` once its job triggered a workflow.
-- An occurrence armed into a fired bucket starts the next generation (a new job, a new
-- workflow instance), so nothing armed late is left behind.
create table buckets (
  bucket      bigint not null,
  shard       smallint not null,
  generation  integer not null default 0,
  state       text not null check (state in ('scheduled', 'fired')),
  fires_at    timestamptz not null,
  updated_at  timestamptz not null default now(),
  primary key (bucket, shard)
);
create index buckets_updated on buckets (updated_at);

-- A chunk's Resend batch request, recorded before it is sent: a retry sends the same payload
-- under the same Idempotency-Key, so the provider answers it from its memory instead of
-- sending again (a different payload under the same key would be refused with 409).
create table sends (
  idempotency_key  text primary key,
  emails           jsonb not null,
  -- The delivery of each email, in the same order.
  delivery_ids     text[] not null,
  -- Which replica recorded it (POD_NAME or the host name, and the process id).
  prepared_by      text not null,
  created_at       timestamptz not null default now()
);
create index sends_created on sends (created_at);

-- The chunk whose request carried the email, and when its look-up asked task-api whether the
-- occurrence was still wanted: a change task-api acknowledged before that instant prevents it.
alter table deliveries add column send_key text;
alter table deliveries add column decided_at timestamptz;
