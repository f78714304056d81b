-- One search row per ticket instead of one per text (docs/performance.md,
-- "PostgreSQL search"): a search finds each ticket once, so it counts its
-- matches without a DISTINCT over every matching text, and its newest page
-- can walk the primary key backwards when the words are common.
--
-- ticket_docs_public: subject, description and public replies (what a
-- requester may search); ticket_docs_staff: the same and the internal notes.
-- Two narrow tables rather than two columns of one: a search reads the heap
-- page of every ticket it counts, and a narrow table stays in the cache.
-- Texts are folded by mesa_core::search::fold and stripped of positions,
-- which no query uses. SQLite keeps its FTS5 index (0005).
CREATE TABLE ticket_docs_public (
    ticket_id BIGINT PRIMARY KEY REFERENCES tickets(id),
    doc TSVECTOR NOT NULL
);
CREATE TABLE ticket_docs_staff (
    ticket_id BIGINT PRIMARY KEY REFERENCES tickets(id),
    doc TSVECTOR NOT NULL
);
INSERT INTO ticket_docs_public (ticket_id, doc)
SELECT t.id, array_to_tsvector(ARRAY(
           SELECT DISTINCT w.lexeme FROM ticket_search s, unnest(s.doc) w
            WHERE s.ticket_id = t.id AND NOT s.internal))
  FROM tickets t;
INSERT INTO ticket_docs_staff (ticket_id, doc)
SELECT t.id, array_to_tsvector(ARRAY(
           SELECT DISTINCT w.lexeme FROM ticket_search s, unnest(s.doc) w WHERE s.ticket_id = t.id))
  FROM tickets t;
DROP TABLE ticket_search;
CREATE INDEX ticket_docs_public_doc ON ticket_docs_public USING GIN (doc);
CREATE INDEX ticket_docs_staff_doc ON ticket_docs_staff USING GIN (doc);
ANALYZE ticket_docs_public;
ANALYZE ticket_docs_staff;
