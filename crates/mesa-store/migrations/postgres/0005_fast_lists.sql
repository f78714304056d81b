-- Cheap list totals (docs/performance.md, "Where the time goes").

-- The agents a queue or ticket page offers, without reading every requester.
CREATE INDEX users_role ON users (role);

-- Tickets per status, kept by triggers: a list filtered by status only (or
-- not at all) knows its exact total without counting rows. The trigger is
-- deferred to the commit, so these few hot rows stay locked only while a
-- transaction commits, not across its round trips. A transaction changes
-- one ticket, so it touches at most two of these rows, and it takes them one
-- at a time in key order: two transactions never wait for each other in
-- opposite orders (no deadlock), whatever the tuples' order on disk.
CREATE TABLE ticket_status_counts (
    status TEXT PRIMARY KEY,
    tickets BIGINT NOT NULL
);
INSERT INTO ticket_status_counts (status, tickets) SELECT status, COUNT(*) FROM tickets GROUP BY status;
INSERT INTO ticket_status_counts (status, tickets)
    VALUES ('new', 0), ('assigned', 0), ('in_progress', 0), ('on_hold', 0), ('solved', 0), ('closed', 0)
    ON CONFLICT (status) DO NOTHING;
CREATE FUNCTION ticket_status_counts_add(which TEXT, delta BIGINT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    UPDATE ticket_status_counts SET tickets = tickets + delta WHERE status = which;
    IF NOT FOUND THEN
        INSERT INTO ticket_status_counts (status, tickets) VALUES (which, delta)
            ON CONFLICT (status) DO UPDATE SET tickets = ticket_status_counts.tickets + delta;
    END IF;
END
$$;
CREATE FUNCTION ticket_status_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM ticket_status_counts_add(NEW.status, 1);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM ticket_status_counts_add(OLD.status, -1);
    ELSIF OLD.status <> NEW.status THEN
        IF OLD.status < NEW.status THEN
            PERFORM ticket_status_counts_add(OLD.status, -1);
            PERFORM ticket_status_counts_add(NEW.status, 1);
        ELSE
            PERFORM ticket_status_counts_add(NEW.status, 1);
            PERFORM ticket_status_counts_add(OLD.status, -1);
        END IF;
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER ticket_status_counts_keep AFTER INSERT OR DELETE OR UPDATE OF status ON tickets
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ticket_status_counts_keep();
