-- Foundation schema (SQLite). Times are RFC 3339 text in UTC, which sorts.
CREATE TABLE departments (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    detail TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE buildings (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    detail TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE teams (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    detail TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT,
    department_id INTEGER REFERENCES departments(id),
    building_id INTEGER REFERENCES buildings(id),
    team_id INTEGER REFERENCES teams(id),
    phone TEXT,
    level INTEGER NOT NULL DEFAULT 1,
    language TEXT NOT NULL DEFAULT 'es',
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TEXT NOT NULL
);
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE TABLE services (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    category TEXT NOT NULL,
    default_type TEXT NOT NULL,
    default_level INTEGER NOT NULL,
    team_id INTEGER REFERENCES teams(id),
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TEXT NOT NULL
);
CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('ticket_number', 0);
CREATE TABLE tickets (
    id INTEGER PRIMARY KEY,
    number BIGINT NOT NULL UNIQUE,
    subject TEXT NOT NULL,
    description TEXT NOT NULL,
    type TEXT NOT NULL,
    status TEXT NOT NULL,
    priority TEXT NOT NULL,
    service_id INTEGER REFERENCES services(id),
    requester_id INTEGER NOT NULL REFERENCES users(id),
    department_id INTEGER REFERENCES departments(id),
    building_id INTEGER REFERENCES buildings(id),
    contact_phone TEXT,
    remote_access_id TEXT,
    assignee_id INTEGER REFERENCES users(id),
    team_id INTEGER REFERENCES teams(id),
    level INTEGER NOT NULL,
    hold_reason TEXT,
    resume_at TEXT,
    resolution TEXT,
    outcome TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    first_response_at TEXT,
    solved_at TEXT,
    closed_at TEXT,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX tickets_status ON tickets (status, id);
CREATE INDEX tickets_assignee ON tickets (assignee_id, id);
CREATE INDEX tickets_requester ON tickets (requester_id, id);
CREATE TABLE ticket_entries (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    author_id INTEGER REFERENCES users(id),
    internal BOOLEAN NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX ticket_entries_ticket ON ticket_entries (ticket_id, id);
CREATE TABLE ticket_history (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    actor_id INTEGER REFERENCES users(id),
    field TEXT NOT NULL,
    before_value TEXT,
    after_value TEXT,
    internal BOOLEAN NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX ticket_history_ticket ON ticket_history (ticket_id, id);
CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    uploaded_by INTEGER REFERENCES users(id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX attachments_ticket ON attachments (ticket_id, id);
-- One row per searchable text (a ticket's subject+description, each entry),
-- folded by mesa_core::search::fold before it is written.
CREATE VIRTUAL TABLE ticket_search USING fts5(
    body,
    ticket_id UNINDEXED,
    internal UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2'
);
