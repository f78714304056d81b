-- Surveys and knowledge (issue 16): survey versions, signed survey links per
-- (ticket, requester) and their answers, the weekly samples, knowledge-base
-- articles with revisions, and lessons learned.

-- One row per survey version; exactly one is active. `questions` is
-- mesa_core::survey::Survey's questions as JSON.
CREATE TABLE surveys (
    version BIGINT PRIMARY KEY,
    questions TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    created_by BIGINT REFERENCES users(id)
);

-- A survey link. The token is an HMAC of (ticket, requester) under a key kept
-- in `settings`; only its SHA-256 is stored. Agent, service and building
-- are the ticket's when the link was made: the results group by them.
CREATE TABLE survey_links (
    id BIGSERIAL PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    ticket_id BIGINT NOT NULL REFERENCES tickets(id),
    requester_id BIGINT NOT NULL REFERENCES users(id),
    agent_id BIGINT REFERENCES users(id),
    service_id BIGINT REFERENCES services(id),
    building_id BIGINT REFERENCES buildings(id),
    origin TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    answered_at TIMESTAMPTZ,
    UNIQUE (ticket_id, requester_id)
);
CREATE INDEX survey_links_created ON survey_links (created_at);
CREATE INDEX survey_links_requester ON survey_links (requester_id, created_at);

-- One answer per link; `answers` is question key -> value as JSON.
CREATE TABLE survey_answers (
    link_id BIGINT PRIMARY KEY REFERENCES survey_links(id),
    survey_version BIGINT NOT NULL REFERENCES surveys(version),
    answers TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

-- A week sampled (once, whichever process or command runs it).
CREATE TABLE survey_samples (
    week TEXT PRIMARY KEY,
    seed BIGINT NOT NULL,
    sampled BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

-- Knowledge base. `search_text` is the folded title, category and body
-- (mesa_core::search::fold), searched term by term.
CREATE TABLE articles (
    id BIGSERIAL PRIMARY KEY,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    category TEXT,
    audience TEXT NOT NULL,
    published BOOLEAN NOT NULL,
    ticket_id BIGINT REFERENCES tickets(id),
    search_text TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    author_id BIGINT REFERENCES users(id),
    revision BIGINT NOT NULL
);
CREATE INDEX articles_audience ON articles (audience, published, updated_at);

CREATE TABLE article_revisions (
    article_id BIGINT NOT NULL REFERENCES articles(id),
    revision BIGINT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    category TEXT,
    audience TEXT NOT NULL,
    published BOOLEAN NOT NULL,
    author_id BIGINT REFERENCES users(id),
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (article_id, revision)
);

-- Lessons learned (seed 001 step 9): proposed from a ticket, decided by an
-- administrator (the monthly committee); an accepted one becomes an article.
CREATE TABLE lessons (
    id BIGSERIAL PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets(id),
    title TEXT NOT NULL,
    what_happened TEXT NOT NULL,
    cause TEXT NOT NULL,
    next_time TEXT NOT NULL,
    proposed_by BIGINT NOT NULL REFERENCES users(id),
    created_at TIMESTAMPTZ NOT NULL,
    decision TEXT,
    reason TEXT,
    decided_by BIGINT REFERENCES users(id),
    decided_at TIMESTAMPTZ,
    article_id BIGINT REFERENCES articles(id)
);
CREATE INDEX lessons_pending ON lessons (decision, id);
