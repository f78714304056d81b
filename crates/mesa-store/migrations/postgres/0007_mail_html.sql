-- The sanitised HTML of a mail that opened a ticket (entry_id NULL) or became
-- one of its replies, shown beside the text. Inline images point at
-- `mesa-blob:<sha256>`: the attachment stored from the same mail.
CREATE TABLE ticket_html (
    ticket_id BIGINT NOT NULL REFERENCES tickets(id),
    entry_id BIGINT REFERENCES ticket_entries(id),
    html TEXT NOT NULL
);
CREATE INDEX ticket_html_ticket ON ticket_html (ticket_id);
