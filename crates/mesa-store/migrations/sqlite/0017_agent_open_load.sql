-- Open tickets per agent and priority, kept by triggers, so that routing
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

CREATE TRIGGER agent_open_load_insert AFTER INSERT ON tickets
    WHEN NEW.assignee_id IS NOT NULL AND NEW.status IN ('new', 'assigned', 'in_progress', 'on_hold') BEGIN
    INSERT INTO agent_open_load (assignee_id, priority, tickets) VALUES (NEW.assignee_id, NEW.priority, 1)
        ON CONFLICT (assignee_id, priority) DO UPDATE SET tickets = tickets + 1;
END;

CREATE TRIGGER agent_open_load_update AFTER UPDATE OF assignee_id, status, priority ON tickets
    WHEN OLD.assignee_id IS NOT NEW.assignee_id OR OLD.status <> NEW.status OR OLD.priority <> NEW.priority BEGIN
    UPDATE agent_open_load SET tickets = tickets - 1
        WHERE assignee_id = OLD.assignee_id AND priority = OLD.priority
          AND OLD.status IN ('new', 'assigned', 'in_progress', 'on_hold');
    INSERT INTO agent_open_load (assignee_id, priority, tickets)
        SELECT NEW.assignee_id, NEW.priority, 1
        WHERE NEW.assignee_id IS NOT NULL AND NEW.status IN ('new', 'assigned', 'in_progress', 'on_hold')
        ON CONFLICT (assignee_id, priority) DO UPDATE SET tickets = tickets + 1;
END;

CREATE TRIGGER agent_open_load_delete AFTER DELETE ON tickets
    WHEN OLD.assignee_id IS NOT NULL AND OLD.status IN ('new', 'assigned', 'in_progress', 'on_hold') BEGIN
    UPDATE agent_open_load SET tickets = tickets - 1
        WHERE assignee_id = OLD.assignee_id AND priority = OLD.priority;
END;
