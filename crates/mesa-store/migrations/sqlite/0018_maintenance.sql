-- Preventive maintenance plans and logbooks (issue 17).

-- A plan for a year, owned by a team; archived plans open no more tickets.
CREATE TABLE maintenance_plans (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    year INTEGER NOT NULL,
    team_id INTEGER NOT NULL REFERENCES teams(id),
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX maintenance_plans_year ON maintenance_plans (year, id);

-- A plan's activity. `item_kind` says what `item` names (infrastructure item,
-- asset by inventory tag, asset type); `asset_id` is the asset's when it names
-- one. `checklist` is a JSON list of strings; `recurrence` is
-- mesa_core::maintenance::StoredRecurrence as JSON. An activity taken out of
-- its plan is kept (`removed`) for the occurrences that name it.
CREATE TABLE maintenance_activities (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES maintenance_plans(id),
    position INTEGER NOT NULL,
    what TEXT NOT NULL,
    item TEXT NOT NULL,
    item_kind TEXT NOT NULL,
    asset_id INTEGER REFERENCES assets(id),
    checklist TEXT NOT NULL,
    recurrence TEXT NOT NULL,
    removed BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL
);
CREATE INDEX maintenance_activities_plan ON maintenance_activities (plan_id, position);

-- An occurrence whose ticket was opened: one per (activity, due date), which
-- makes opening it exactly once whatever the number of processes. The
-- execution (date, who) is recorded when its ticket is solved or closed.
CREATE TABLE maintenance_occurrences (
    id INTEGER PRIMARY KEY,
    activity_id INTEGER NOT NULL REFERENCES maintenance_activities(id),
    due_date TEXT NOT NULL,
    ticket_id INTEGER REFERENCES tickets(id),
    opened_at TEXT NOT NULL,
    done_at TEXT,
    done_by INTEGER REFERENCES users(id),
    UNIQUE (activity_id, due_date)
);
CREATE INDEX maintenance_occurrences_ticket ON maintenance_occurrences (ticket_id);

-- A maintenance ticket's checklist, ticked step by step.
CREATE TABLE maintenance_checklist (
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    position INTEGER NOT NULL,
    label TEXT NOT NULL,
    done BOOLEAN NOT NULL DEFAULT FALSE,
    done_by INTEGER REFERENCES users(id),
    done_at TEXT,
    PRIMARY KEY (ticket_id, position)
);

-- Logbooks ("bitácoras"): dated entries per infrastructure item, written by
-- hand or from a solved maintenance ticket (then `occurrence_id` is set,
-- once). `item_key` is the folded item name the logbook is looked up by.
CREATE TABLE logbook_entries (
    id INTEGER PRIMARY KEY,
    item TEXT NOT NULL,
    item_key TEXT NOT NULL,
    entry_date TEXT NOT NULL,
    author_id INTEGER REFERENCES users(id),
    work TEXT NOT NULL,
    readings TEXT,
    attachment_name TEXT,
    attachment_type TEXT,
    attachment_sha256 TEXT,
    attachment_size BIGINT,
    ticket_id INTEGER REFERENCES tickets(id),
    occurrence_id INTEGER UNIQUE REFERENCES maintenance_occurrences(id),
    created_at TEXT NOT NULL
);
CREATE INDEX logbook_entries_item ON logbook_entries (item_key, entry_date, id);
