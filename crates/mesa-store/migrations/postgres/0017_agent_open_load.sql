-- Open tickets per agent and priority, kept by a trigger, so that routing
-- reads each candidate's load in one row per priority instead of counting
-- the backlog (docs/performance.md, "Routing").

CREATE TABLE agent_open_load (
    assignee_id BIGINT NOT NULL,
    priority TEXT NOT NULL,
    tickets BIGINT NOT NULL,
    PRIMARY KEY (assignee_id, priority)
);
INSERT INTO agent_open_load (assignee_id, priority, tickets)
    SELECT assignee_id, priority, COUNT(*) FROM tickets
    WHERE assignee_id IS NOT NULL AND status IN ('new', 'assigned', 'in_progress', 'on_hold')
    GROUP BY assignee_id, priority;

CREATE FUNCTION agent_open_load_add(agent BIGINT, which TEXT, delta BIGINT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO agent_open_load (assignee_id, priority, tickets) VALUES (agent, which, delta)
        ON CONFLICT (assignee_id, priority) DO UPDATE SET tickets = agent_open_load.tickets + delta;
END
$$;

-- Like ticket_status_counts (0005): deferred to the commit so the rows are
-- locked briefly, and when a ticket moves between two rows the lower key is
-- locked first, so two moves in opposite directions cannot deadlock.
CREATE FUNCTION agent_open_load_keep() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    was_open BOOLEAN := FALSE;
    is_open BOOLEAN := FALSE;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        was_open := OLD.assignee_id IS NOT NULL AND OLD.status IN ('new', 'assigned', 'in_progress', 'on_hold');
    END IF;
    IF TG_OP <> 'DELETE' THEN
        is_open := NEW.assignee_id IS NOT NULL AND NEW.status IN ('new', 'assigned', 'in_progress', 'on_hold');
    END IF;
    IF was_open AND is_open THEN
        IF OLD.assignee_id = NEW.assignee_id AND OLD.priority = NEW.priority THEN
            RETURN NULL;
        END IF;
        IF (OLD.assignee_id, OLD.priority) < (NEW.assignee_id, NEW.priority) THEN
            PERFORM agent_open_load_add(OLD.assignee_id, OLD.priority, -1);
            PERFORM agent_open_load_add(NEW.assignee_id, NEW.priority, 1);
        ELSE
            PERFORM agent_open_load_add(NEW.assignee_id, NEW.priority, 1);
            PERFORM agent_open_load_add(OLD.assignee_id, OLD.priority, -1);
        END IF;
    ELSIF was_open THEN
        PERFORM agent_open_load_add(OLD.assignee_id, OLD.priority, -1);
    ELSIF is_open THEN
        PERFORM agent_open_load_add(NEW.assignee_id, NEW.priority, 1);
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER agent_open_load_keep
    AFTER INSERT OR DELETE OR UPDATE OF assignee_id, status, priority ON tickets
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION agent_open_load_keep();
