-- The e-mail channel (issue 4).

-- Every message received, raw, stored before anything else is done with it.
-- (mailbox, message_key) makes ingestion idempotent: the key is the
-- Message-ID, or `sha256:<hex>` of the raw bytes when there is none.
CREATE TABLE mail_inbox (
    id BIGSERIAL PRIMARY KEY,
    mailbox TEXT NOT NULL,
    message_key TEXT NOT NULL,
    raw BYTEA NOT NULL,
    size BIGINT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    -- pending | done | rejected | quarantined | unparseable
    state TEXT NOT NULL,
    reason TEXT,
    -- created | appended | reopened (state done)
    outcome TEXT,
    ticket_id BIGINT REFERENCES tickets(id),
    sender TEXT,
    subject TEXT,
    processed_at TIMESTAMPTZ,
    UNIQUE (mailbox, message_key)
);
CREATE INDEX mail_inbox_state ON mail_inbox (state, id);
-- Rate limit of automatic answers per sender.
CREATE INDEX mail_inbox_sender ON mail_inbox (sender, received_at);

-- A ticket or thread entry made from a message names it: retrying the
-- message finds what the first attempt wrote instead of writing it twice.
ALTER TABLE tickets ADD COLUMN source_mail_id BIGINT REFERENCES mail_inbox(id);
CREATE UNIQUE INDEX tickets_source_mail ON tickets (source_mail_id) WHERE source_mail_id IS NOT NULL;
ALTER TABLE ticket_entries ADD COLUMN source_mail_id BIGINT REFERENCES mail_inbox(id);
CREATE UNIQUE INDEX ticket_entries_source_mail ON ticket_entries (source_mail_id) WHERE source_mail_id IS NOT NULL;

-- Message-IDs of a ticket's mail, received or sent: replies find their
-- ticket through In-Reply-To / References.
CREATE TABLE mail_message_ids (
    message_id TEXT NOT NULL,
    ticket_id BIGINT NOT NULL REFERENCES tickets(id),
    direction TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (message_id, ticket_id)
);

-- People on a ticket's mail besides the requester (To/Cc): they get its
-- public replies and may answer on it.
CREATE TABLE ticket_participants (
    ticket_id BIGINT NOT NULL REFERENCES tickets(id),
    email TEXT NOT NULL,
    name TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (ticket_id, email)
);

-- Outgoing mail, rendered when it is queued; the sender retries with
-- backoff until the SMTP server accepts it or refuses it for good.
CREATE TABLE mail_outbox (
    id BIGSERIAL PRIMARY KEY,
    dedupe_key TEXT NOT NULL UNIQUE,
    ticket_id BIGINT REFERENCES tickets(id),
    kind TEXT NOT NULL,
    recipients TEXT NOT NULL,
    message_id TEXT NOT NULL,
    raw BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    sent_at TIMESTAMPTZ,
    failed_at TIMESTAMPTZ,
    last_error TEXT
);
CREATE INDEX mail_outbox_pending ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;

-- IMAP mailboxes the server polls. `secret` is a password or an OAuth2
-- access token; it never leaves the server (not in the API, not in logs).
CREATE TABLE mailboxes (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    host TEXT NOT NULL,
    port BIGINT NOT NULL,
    security TEXT NOT NULL,
    username TEXT NOT NULL,
    auth TEXT NOT NULL,
    secret TEXT NOT NULL,
    folder TEXT NOT NULL,
    processed_folder TEXT,
    poll_seconds BIGINT NOT NULL,
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    last_polled_at TIMESTAMPTZ,
    last_error TEXT,
    created_at TIMESTAMPTZ NOT NULL
);
