-- Preventive maintenance plans and logbooks (issue 17).

-- A plan for a year, owned by a team; archived plans open no more tickets.
CREATE TABLE maintenance_plans (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    year BIGINT NOT NULL,
    team_id BIGINT NOT NULL REFERENCES teams(id),
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX maintenance_plans_year ON maintenance_plans (year, id);

-- A plan's activity. `item_kind` says what `item` names (infrastructure item,
-- asset by inventory tag, asset type); `asset_id` is the asset's when it names
-- one. `checklist` is a JSON list of strings; `recurrence` is
-- mesa_core::maintenance::StoredRecurrence as JSON. An activity taken out of
-- its plan is kept (`removed`) for the occurrences that name it.
CREATE TABLE maintenance_activities (
    id BIGSERIAL PRIMARY KEY,
    plan_id BIGINT NOT NULL REFERENCES maintenance_plans(id),
    position BIGINT NOT NULL,
    what TEXT NOT NULL,
    item TEXT NOT NULL,
    item_kind TEXT NOT NULL,
    asset_id BIGINT REFERENCES assets(id),
    checklist TEXT NOT NULL,
    recurrence TEXT NOT NULL,
    removed BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX maintenance_activities_plan ON maintenance_activities (plan_id, position);

-- An occurrence whose ticket was opened: one per (activity, due date), which
-- makes opening it exactly once whatever the number of processes. The
-- execution (date, who) is recorded when its ticket is solved or closed.
CREATE TABLE maintenance_occurrences (
    id BIGSERIAL PRIMARY KEY,
    activity_id BIGINT NOT NULL REFERENCES maintenance_activities(id),
    due_date DATE NOT NULL,
    ticket_id BIGINT REFERENCES tickets(id),
    opened_at TIMESTAMPTZ NOT NULL,
    done_at TIMESTAMPTZ,
    done_by BIGINT REFERENCES users(id),
    UNIQUE (activity_id, due_date)
);
CREATE INDEX maintenance_occurrences_ticket ON maintenance_occurrences (ticket_id);

-- A maintenance ticket's checklist, ticked step by step.
CREATE TABLE maintenance_checklist (
    ticket_id BIGINT NOT NULL REFERENCES tickets(id),
    position BIGINT NOT NULL,
    label TEXT NOT NULL,
    done BOOLEAN NOT NULL DEFAULT FALSE,
    done_by BIGINT REFERENCES users(id),
    done_at TIMESTAMPTZ,
    PRIMARY KEY (ticket_id, position)
);

-- Logbooks ("bitácoras"): dated entries per infrastructure item, written by
-- hand or from a solved maintenance ticket (then `occurrence_id` is set,
-- once). `item_key` is the folded item name the logbook is looked up by.
CREATE TABLE logbook_entries (
    id BIGSERIAL PRIMARY KEY,
    item TEXT NOT NULL,
    item_key TEXT NOT NULL,
    entry_date DATE NOT NULL,
    author_id BIGINT REFERENCES users(id),
    work TEXT NOT NULL,
    readings TEXT,
    attachment_name TEXT,
    attachment_type TEXT,
    attachment_sha256 TEXT,
    attachment_size BIGINT,
    ticket_id BIGINT REFERENCES tickets(id),
    occurrence_id BIGINT UNIQUE REFERENCES maintenance_occurrences(id),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX logbook_entries_item ON logbook_entries (item_key, entry_date, id);
