-- A bucket row is deleted by the clean-up once it fired long ago, with its workflow instances
-- purged. Dapr advises never to give a new workflow an instance id that was used before (in
-- Dapr 1.18 a purged id scheduled again is accepted but never runs), so a bucket armed again
-- after that — a replayed event — is a new incarnation, and its instance ids name it.
create sequence bucket_incarnations;
alter table buckets add column incarnation bigint not null default nextval('bucket_incarnations');
