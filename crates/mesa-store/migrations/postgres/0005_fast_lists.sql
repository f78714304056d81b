-- Cheap list totals (docs/performance.md, "Where the time goes").

-- The agents a queue or ticket page offers, without reading every requester.
CREATE INDEX users_role ON users (role);

-- Tickets per status, kept by triggers: a list filtered by status only (or
-- not at all) knows its exact total without counting rows. Each change
-- touches its status rows in one statement (in key order), so two
-- transactions do not take them in opposite orders.
CREATE TABLE ticket_status_counts (
    status TEXT PRIMARY KEY,
    tickets BIGINT NOT NULL
);
INSERT INTO ticket_status_counts (status, tickets) SELECT status, COUNT(*) FROM tickets GROUP BY status;
CREATE FUNCTION ticket_status_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO ticket_status_counts (status, tickets) VALUES (NEW.status, 1)
            ON CONFLICT (status) DO UPDATE SET tickets = ticket_status_counts.tickets + 1;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE ticket_status_counts SET tickets = tickets - 1 WHERE status = OLD.status;
    ELSIF OLD.status <> NEW.status THEN
        INSERT INTO ticket_status_counts (status, tickets) VALUES (NEW.status, 0) ON CONFLICT (status) DO NOTHING;
        UPDATE ticket_status_counts
           SET tickets = tickets + CASE WHEN status = NEW.status THEN 1 ELSE -1 END
         WHERE status IN (OLD.status, NEW.status);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER ticket_status_counts_keep AFTER INSERT OR DELETE OR UPDATE OF status ON tickets
    FOR EACH ROW EXECUTE FUNCTION ticket_status_counts_keep();

