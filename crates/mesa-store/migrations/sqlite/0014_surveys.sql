-- Surveys and knowledge (issue 16): survey versions, signed survey links per
-- (ticket, requester) and their answers, the weekly samples, knowledge-base
-- articles with revisions, and lessons learned.

-- One row per survey version; exactly one is active. `questions` is
-- mesa_core::survey::Survey's questions as JSON.
CREATE TABLE surveys (
    version BIGINT PRIMARY KEY,
    questions TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id)
);

-- A survey link. The token is an HMAC of (ticket, requester) under a key kept
-- in `settings`; only its SHA-256 is stored. Agent, service and building
-- are the ticket's when the link was made: the results group by them.
CREATE TABLE survey_links (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    requester_id INTEGER NOT NULL REFERENCES users(id),
    agent_id INTEGER REFERENCES users(id),
    service_id INTEGER REFERENCES services(id),
    building_id INTEGER REFERENCES buildings(id),
    origin TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    answered_at TEXT,
    UNIQUE (ticket_id, requester_id)
);
CREATE INDEX survey_links_created ON survey_links (created_at);
CREATE INDEX survey_links_requester ON survey_links (requester_id, created_at);

-- One answer per link; `answers` is question key -> value as JSON.
CREATE TABLE survey_answers (
    link_id INTEGER PRIMARY KEY REFERENCES survey_links(id),
    survey_version BIGINT NOT NULL REFERENCES surveys(version),
    answers TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- A week sampled (once, whichever process or command runs it).
CREATE TABLE survey_samples (
    week TEXT PRIMARY KEY,
    seed BIGINT NOT NULL,
    sampled BIGINT NOT NULL,
    created_at TEXT NOT NULL
);

-- Knowledge base. `search_text` is the folded title, category and body
-- (mesa_core::search::fold), searched term by term.
CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    category TEXT,
    audience TEXT NOT NULL,
    published BOOLEAN NOT NULL,
    ticket_id INTEGER REFERENCES tickets(id),
    search_text TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    author_id INTEGER REFERENCES users(id),
    revision BIGINT NOT NULL
);
CREATE INDEX articles_audience ON articles (audience, published, updated_at);

CREATE TABLE article_revisions (
    article_id INTEGER NOT NULL REFERENCES articles(id),
    revision BIGINT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    category TEXT,
    audience TEXT NOT NULL,
    published BOOLEAN NOT NULL,
    author_id INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (article_id, revision)
);

-- Lessons learned (seed 001 step 9): proposed from a ticket, decided by an
-- administrator (the monthly committee); an accepted one becomes an article.
CREATE TABLE lessons (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    title TEXT NOT NULL,
    what_happened TEXT NOT NULL,
    cause TEXT NOT NULL,
    next_time TEXT NOT NULL,
    proposed_by INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    decision TEXT,
    reason TEXT,
    decided_by INTEGER REFERENCES users(id),
    decided_at TEXT,
    article_id INTEGER REFERENCES articles(id)
);
CREATE INDEX lessons_pending ON lessons (decision, id);
