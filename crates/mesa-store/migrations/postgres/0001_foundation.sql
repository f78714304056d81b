-- Foundation schema (PostgreSQL).
CREATE TABLE departments (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    detail TEXT,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE buildings (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    detail TEXT,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE teams (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    detail TEXT,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT,
    department_id BIGINT REFERENCES departments(id),
    building_id BIGINT REFERENCES buildings(id),
    team_id BIGINT REFERENCES teams(id),
    phone TEXT,
    level INTEGER NOT NULL DEFAULT 1,
    language TEXT NOT NULL DEFAULT 'es',
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE api_tokens (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE services (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    category TEXT NOT NULL,
    default_type TEXT NOT NULL,
    default_level INTEGER NOT NULL,
    team_id BIGINT REFERENCES teams(id),
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('ticket_number', 0);
CREATE TABLE tickets (
    id BIGSERIAL PRIMARY KEY,
    number BIGINT NOT NULL UNIQUE,
    subject TEXT NOT NULL,
    description TEXT NOT NULL,
    type TEXT NOT NULL,
    status TEXT NOT NULL,
    priority TEXT NOT NULL,
    service_id BIGINT REFERENCES services(id),
    requester_id BIGINT NOT NULL REFERENCES users(id),
    department_id BIGINT REFERENCES departments(id),
    building_id BIGINT REFERENCES buildings(id),
    contact_phone TEXT,
    remote_access_id TEXT,
    assignee_id BIGINT REFERENCES users(id),
    team_id BIGINT REFERENCES teams(id),
    level INTEGER NOT NULL,
    hold_reason TEXT,
    resume_at TIMESTAMPTZ,
    resolution TEXT,
    outcome TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    first_response_at TIMESTAMPTZ,
    solved_at TIMESTAMPTZ,
    closed_at TIMESTAMPTZ,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX tickets_status ON tickets (status, id);
CREATE INDEX tickets_assignee ON tickets (assignee_id, id);
CREATE INDEX tickets_requester ON tickets (requester_id, id);
CREATE TABLE ticket_entries (
    id BIGSERIAL PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets(id),
    author_id BIGINT REFERENCES users(id),
    internal BOOLEAN NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX ticket_entries_ticket ON ticket_entries (ticket_id, id);
CREATE TABLE ticket_history (
    id BIGSERIAL PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets(id),
    actor_id BIGINT REFERENCES users(id),
    field TEXT NOT NULL,
    before_value TEXT,
    after_value TEXT,
    internal BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX ticket_history_ticket ON ticket_history (ticket_id, id);
CREATE TABLE attachments (
    id BIGSERIAL PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets(id),
    uploaded_by BIGINT REFERENCES users(id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX attachments_ticket ON attachments (ticket_id, id);
-- One row per searchable text (a ticket's subject+description, each entry),
-- folded by mesa_core::search::fold before it is written.
CREATE TABLE ticket_search (
    id BIGSERIAL PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets(id),
    internal BOOLEAN NOT NULL,
    doc TSVECTOR NOT NULL
);
CREATE INDEX ticket_search_doc ON ticket_search USING GIN (doc);
CREATE INDEX ticket_search_ticket ON ticket_search (ticket_id);
