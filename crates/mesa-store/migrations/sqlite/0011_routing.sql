-- Routing (issue 14): who gets a case. Kept in tables of their own so the
-- directory and the catalog stay as they are.
-- A building's or department's pre-assigned agent (seed 001). kind: building | department.
CREATE TABLE place_agents (
    kind TEXT NOT NULL,
    place_id INTEGER NOT NULL,
    agent_id INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (kind, place_id)
);
-- A service's routing fields; a service without a row: place routing, no authorisation.
CREATE TABLE service_routing (
    service_id INTEGER PRIMARY KEY REFERENCES services(id),
    place_routing BOOLEAN NOT NULL DEFAULT TRUE,
    requires_authorization BOOLEAN NOT NULL DEFAULT FALSE,
    approver_id INTEGER REFERENCES users(id)
);
-- The services an agent may attend; none recorded: every service.
CREATE TABLE user_competences (
    user_id INTEGER NOT NULL REFERENCES users(id),
    service_id INTEGER NOT NULL REFERENCES services(id),
    PRIMARY KEY (user_id, service_id)
);
CREATE TABLE absences (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX absences_user ON absences (user_id, ends_at);
-- Tickets waiting for a named approver (seed 004), and the decision.
CREATE TABLE ticket_authorizations (
    ticket_id INTEGER PRIMARY KEY REFERENCES tickets(id),
    approver_id INTEGER NOT NULL REFERENCES users(id),
    decision TEXT,
    decided_by INTEGER REFERENCES users(id),
    decided_at TEXT,
    comment TEXT
);
CREATE INDEX ticket_authorizations_pending ON ticket_authorizations (approver_id, ticket_id) WHERE decision IS NULL;
-- An agent's open load, read from the index alone.
CREATE INDEX tickets_assignee_load ON tickets (assignee_id, status, priority);
