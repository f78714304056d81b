-- Reports and the BI feed (issue 17).
-- How each ticket reached the desk (issue 13). Tickets made from a received
-- message are `mail`; the others cannot be told apart any more and are `web`.
ALTER TABLE tickets ADD COLUMN channel TEXT NOT NULL DEFAULT 'web';
UPDATE tickets SET channel = 'mail' WHERE source_mail_id IS NOT NULL;
-- What an API token may do: `full` (everything its user may) or `feed`
-- (read the BI feed and the reports only).
ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'full';
-- The report counts tickets by when they were opened, solved and closed.
CREATE INDEX tickets_created ON tickets (created_at);
CREATE INDEX tickets_solved ON tickets (solved_at) WHERE solved_at IS NOT NULL;
CREATE INDEX tickets_closed ON tickets (closed_at) WHERE closed_at IS NOT NULL;
-- Routing decisions, reassignments and escalations by when they happened.
CREATE INDEX ticket_history_field ON ticket_history (field, created_at);
