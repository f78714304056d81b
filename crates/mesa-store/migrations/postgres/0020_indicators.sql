-- Indicators with goals and improvement actions (issue 17).

-- An indicator: a formula from mesa_core::indicator::Formula over a month,
-- a goal and its direction (`at_least` or `at_most`).
CREATE TABLE indicators (
    id BIGSERIAL PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    formula TEXT NOT NULL,
    goal DOUBLE PRECISION NOT NULL,
    direction TEXT NOT NULL,
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- An improvement action for a month an indicator missed its goal (`month`
-- is YYYY-MM), tracked from `open` to `done` to `verified`.
CREATE TABLE improvement_actions (
    id BIGSERIAL PRIMARY KEY,
    indicator_id BIGINT NOT NULL REFERENCES indicators(id),
    month TEXT NOT NULL,
    what TEXT NOT NULL,
    cause TEXT,
    owner_id BIGINT NOT NULL REFERENCES users(id),
    due_date DATE NOT NULL,
    status TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    done_at TIMESTAMPTZ,
    verified_by BIGINT REFERENCES users(id),
    verified_at TIMESTAMPTZ
);
CREATE INDEX improvement_actions_indicator ON improvement_actions (indicator_id, month);
CREATE INDEX improvement_actions_status ON improvement_actions (status, due_date);
