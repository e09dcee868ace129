-- Rows waiting for a retry (counted attempts, or held back by an outage) hold back their task's
-- later rows. The relay looks them up once per batch through this small index, instead of
-- looking for an earlier held row per candidate row: with the pending rows' statistics stale
-- (a fresh database, or a burst after a quiet hour) PostgreSQL ran that per-row look-up as a
-- scan of every pending row, so a batch of a 20 000-row backlog took 0.3 s and the relay fell
-- further behind the longer the burst lasted.
create index outbox_held on outbox (partition_key, seq)
  where sent_at is null and parked_at is null and (attempts > 0 or next_attempt_at is not null);
