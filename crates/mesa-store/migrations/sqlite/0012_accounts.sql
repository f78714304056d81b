-- Accounts (issue 13): single-use links mailed to people, sessions limited
-- to one ticket, dispatchers, and catalog entries that can be deactivated.

-- A link mailed to someone: set or reset a password, approve or reject a
-- solution, or sign in to one ticket. The link holds 256 random bits; only
-- their SHA-256 is kept. `used_at` makes it work once.
CREATE TABLE auth_links (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id),
    purpose TEXT NOT NULL,
    ticket_id INTEGER REFERENCES tickets(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX auth_links_user ON auth_links (user_id, purpose, created_at);

-- A session opened by a ticket link reaches that ticket only.
ALTER TABLE sessions ADD COLUMN ticket_number BIGINT;

-- Receives mail-born tickets that have no team.
ALTER TABLE users ADD COLUMN dispatcher BOOLEAN NOT NULL DEFAULT FALSE;

ALTER TABLE departments ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE buildings ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE teams ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE;
