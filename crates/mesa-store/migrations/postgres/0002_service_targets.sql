-- Service targets, calendars, automation (issue 5).
ALTER TABLE tickets ADD COLUMN status_since TIMESTAMPTZ;
UPDATE tickets SET status_since = updated_at;
ALTER TABLE tickets ADD COLUMN response_due_at TIMESTAMPTZ;
ALTER TABLE tickets ADD COLUMN resolution_due_at TIMESTAMPTZ;
ALTER TABLE tickets ADD COLUMN response_warn_at TIMESTAMPTZ;
ALTER TABLE tickets ADD COLUMN resolution_warn_at TIMESTAMPTZ;
ALTER TABLE tickets ADD COLUMN sla_paused BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX tickets_resolution_due ON tickets (resolution_due_at);
CREATE INDEX tickets_status_since ON tickets (status, status_since);

-- Named business calendars; the config is mesa_core::calendar::CalendarConfig as JSON.
CREATE TABLE calendars (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    config TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
-- Targets per priority (service_id NULL: the desk's default) and per service.
CREATE TABLE sla_targets (
    id BIGSERIAL PRIMARY KEY,
    service_id BIGINT REFERENCES services(id),
    priority TEXT NOT NULL,
    response_minutes BIGINT NOT NULL,
    resolution_minutes BIGINT NOT NULL,
    calendar_id BIGINT REFERENCES calendars(id)
);
CREATE UNIQUE INDEX sla_targets_key ON sla_targets (COALESCE(service_id, 0), priority);
-- Desk-wide settings as JSON documents (`sla`, `automation`).
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
-- Things that happen once per ticket (SLA warnings and breaches, reminders):
-- the primary key makes them happen exactly once, whatever the processes.
CREATE TABLE ticket_events (
    ticket_id BIGINT NOT NULL REFERENCES tickets(id),
    kind TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (ticket_id, kind)
);
-- Messages owed to people; the mail outbox sends them (issue 4).
CREATE TABLE notifications (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    ticket_id BIGINT NOT NULL REFERENCES tickets(id),
    kind TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    sent_at TIMESTAMPTZ
);
CREATE INDEX notifications_unsent ON notifications (sent_at, id);
-- Leases let one of several server processes run a periodic job; an
-- expired lease (a killed process) is taken over.
CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
