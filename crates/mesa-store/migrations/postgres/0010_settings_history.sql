-- Who changed a setting, when, and its value before and after (issue 12).
-- `subject` names what changed, e.g. 'calendar:default'; values are JSON.
-- before_value is NULL when the setting did not exist (nor had a built-in value).
CREATE TABLE settings_history (
    id BIGSERIAL PRIMARY KEY,
    subject TEXT NOT NULL,
    actor_id BIGINT REFERENCES users(id),
    before_value TEXT,
    after_value TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX settings_history_subject ON settings_history (subject, id);
