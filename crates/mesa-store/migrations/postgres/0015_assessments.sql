-- Technical assessments ("concepto técnico", issue 15): the signed text, its
-- PDF (an attachment of the ticket) and the lead's confirmation of a retirement.
CREATE TABLE assessments (
    id BIGSERIAL PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets(id),
    asset_id BIGINT NOT NULL REFERENCES assets(id),
    diagnosis TEXT NOT NULL,
    tests_done TEXT NOT NULL,
    findings TEXT NOT NULL,
    recommendation TEXT NOT NULL,
    signer_name TEXT NOT NULL,
    signer_role TEXT NOT NULL,
    attachment_id BIGINT REFERENCES attachments(id),
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at TIMESTAMPTZ NOT NULL,
    confirmed_by BIGINT REFERENCES users(id),
    confirmed_at TIMESTAMPTZ
);
CREATE INDEX assessments_ticket ON assessments (ticket_id);
