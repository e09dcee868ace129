-- The clean-up deletes finished digest records once their day is long past (reminders/retention.ts).
create index digests_finished on digests (due_at) where status in ('sent', 'empty', 'skipped', 'failed');
