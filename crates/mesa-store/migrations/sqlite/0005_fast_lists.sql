-- Cheap list totals and a search index that answers without lookups
-- (docs/performance.md, "Where the time goes").

-- The agents a queue or ticket page offers, without reading every requester.
CREATE INDEX users_role ON users (role);

-- Tickets per status, kept by triggers: a list filtered by status only (or
-- not at all) knows its exact total without counting rows.
CREATE TABLE ticket_status_counts (
    status TEXT PRIMARY KEY,
    tickets BIGINT NOT NULL
);
INSERT INTO ticket_status_counts (status, tickets) SELECT status, COUNT(*) FROM tickets GROUP BY status;
CREATE TRIGGER ticket_status_counts_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO ticket_status_counts (status, tickets) VALUES (NEW.status, 1)
        ON CONFLICT (status) DO UPDATE SET tickets = tickets + 1;
END;
CREATE TRIGGER ticket_status_counts_update AFTER UPDATE OF status ON tickets
    WHEN OLD.status <> NEW.status BEGIN
    UPDATE ticket_status_counts SET tickets = tickets - 1 WHERE status = OLD.status;
    INSERT INTO ticket_status_counts (status, tickets) VALUES (NEW.status, 1)
        ON CONFLICT (status) DO UPDATE SET tickets = tickets + 1;
END;
CREATE TRIGGER ticket_status_counts_delete AFTER DELETE ON tickets BEGIN
    UPDATE ticket_status_counts SET tickets = tickets - 1 WHERE status = OLD.status;
END;

-- The full-text index without stored content: the rowid says whose text it
-- is, ticket_id * 2^21 + sequence * 2 + internal, so a search reads the
-- ticket id and the internal flag from the index itself (rowid >> 21,
-- rowid & 1) instead of looking each match up in a content table.
CREATE VIRTUAL TABLE ticket_fts USING fts5(
    body,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO ticket_fts (rowid, body)
    SELECT CAST(ticket_id AS INTEGER) * 2097152
             + (ROW_NUMBER() OVER (PARTITION BY CAST(ticket_id AS INTEGER) ORDER BY rowid) - 1) * 2
             + CASE WHEN internal THEN 1 ELSE 0 END,
           body
    FROM ticket_search;
DROP TABLE ticket_search;
-- Writers keep inserting (body, ticket_id, internal) into ticket_search; the
-- trigger picks the next free sequence number of that ticket.
CREATE VIEW ticket_search (body, ticket_id, internal) AS
    SELECT NULL, rowid >> 21, rowid & 1 FROM ticket_fts;
CREATE TRIGGER ticket_search_insert INSTEAD OF INSERT ON ticket_search BEGIN
    INSERT INTO ticket_fts (rowid, body) VALUES (
        COALESCE(
            (SELECT (MAX(rowid) | 1) + 1 FROM ticket_fts
              WHERE rowid >= NEW.ticket_id * 2097152 AND rowid < (NEW.ticket_id + 1) * 2097152),
            NEW.ticket_id * 2097152
        ) + CASE WHEN NEW.internal THEN 1 ELSE 0 END,
        NEW.body
    );
END;
