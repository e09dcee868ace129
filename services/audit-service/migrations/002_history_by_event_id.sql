-- History and the activity feed are ordered by event id (UUIDv7: the order the changes were
-- made in), compared byte by byte; seq stays the ingest order for retention and operators.
create index audit_events_task_event on audit_events (task_id, (event_id collate "C") desc);
create index audit_events_user_event on audit_events (user_id, (event_id collate "C") desc);
