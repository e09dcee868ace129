-- The delivery activity records what it learnt before it sends (recipient, task title), so a
-- retry after the provider accepted the email goes straight to recording it: it neither reloads
-- the occurrence nor sends again.
alter table deliveries add column title text;
