-- "Open tasks by due date" (the usual to-do view, with or without a priority filter) reads this
-- partial index in sort order instead of filtering the whole due-date index.
drop index if exists tasks_user_open_due;
create index tasks_user_open_due on tasks (user_id, (coalesce(due_at, 'infinity'::timestamptz)), id) where status = 'open';
