-- Indicators with goals and improvement actions (issue 17).

-- An indicator: a formula from mesa_core::indicator::Formula over a month,
-- a goal and its direction (`at_least` or `at_most`).
CREATE TABLE indicators (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    formula TEXT NOT NULL,
    goal REAL NOT NULL,
    direction TEXT NOT NULL,
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- An improvement action for a month an indicator missed its goal (`month`
-- is YYYY-MM), tracked from `open` to `done` to `verified`.
CREATE TABLE improvement_actions (
    id INTEGER PRIMARY KEY,
    indicator_id INTEGER NOT NULL REFERENCES indicators(id),
    month TEXT NOT NULL,
    what TEXT NOT NULL,
    cause TEXT,
    owner_id INTEGER NOT NULL REFERENCES users(id),
    due_date TEXT NOT NULL,
    status TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    done_at TEXT,
    verified_by INTEGER REFERENCES users(id),
    verified_at TEXT
);
CREATE INDEX improvement_actions_indicator ON improvement_actions (indicator_id, month);
CREATE INDEX improvement_actions_status ON improvement_actions (status, due_date);
