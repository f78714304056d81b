-- Vendors, contracts, vendor escalations, assets, warranty claims and
-- technical assessments (issue 15). Dates (no time) are DATE.
CREATE TABLE vendors (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    nit TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT vendors_nit_key UNIQUE (nit)
);
-- A vendor's contacts, in the order given.
CREATE TABLE vendor_contacts (
    vendor_id BIGINT NOT NULL REFERENCES vendors(id),
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    PRIMARY KEY (vendor_id, position)
);
-- A support contract: its targets are business hours on the named calendar.
CREATE TABLE contracts (
    id BIGSERIAL PRIMARY KEY,
    number TEXT NOT NULL,
    object TEXT NOT NULL,
    vendor_id BIGINT NOT NULL REFERENCES vendors(id),
    supervisor_id BIGINT NOT NULL REFERENCES users(id),
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    response_hours BIGINT NOT NULL,
    resolution_hours BIGINT NOT NULL,
    calendar TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT contracts_number_key UNIQUE (number)
);
CREATE TABLE contract_services (
    contract_id BIGINT NOT NULL REFERENCES contracts(id),
    service_id BIGINT NOT NULL REFERENCES services(id),
    PRIMARY KEY (contract_id, service_id)
);
CREATE INDEX contract_services_service ON contract_services (service_id);
-- A ticket sent to a vendor under a contract; the instants are the vendor's clocks' stops.
CREATE TABLE vendor_escalations (
    id BIGSERIAL PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets(id),
    contract_id BIGINT NOT NULL REFERENCES contracts(id),
    vendor_case TEXT,
    note TEXT NOT NULL,
    escalated_by BIGINT NOT NULL REFERENCES users(id),
    escalated_at TIMESTAMPTZ NOT NULL,
    responded_at TIMESTAMPTZ,
    solved_at TIMESTAMPTZ,
    closed_at TIMESTAMPTZ,
    last_event_at TIMESTAMPTZ,
    version BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX vendor_escalations_ticket ON vendor_escalations (ticket_id);
CREATE INDEX vendor_escalations_contract ON vendor_escalations (contract_id);
CREATE TABLE escalation_events (
    id BIGSERIAL PRIMARY KEY,
    escalation_id BIGINT NOT NULL REFERENCES vendor_escalations(id),
    kind TEXT NOT NULL,
    note TEXT,
    happened_at TIMESTAMPTZ NOT NULL,
    author_id BIGINT NOT NULL REFERENCES users(id),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX escalation_events_escalation ON escalation_events (escalation_id, id);
-- The inventory; idempotent imports match by inventory tag.
CREATE TABLE assets (
    id BIGSERIAL PRIMARY KEY,
    inventory_tag TEXT NOT NULL,
    type TEXT NOT NULL,
    brand TEXT,
    model TEXT,
    serial TEXT,
    building_id BIGINT REFERENCES buildings(id),
    department_id BIGINT REFERENCES departments(id),
    assigned_to BIGINT REFERENCES users(id),
    vendor_id BIGINT REFERENCES vendors(id),
    purchase_date DATE,
    warranty_end DATE,
    status TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT assets_inventory_tag_key UNIQUE (inventory_tag)
);
CREATE INDEX assets_assigned ON assets (assigned_to);
-- The asset a ticket is about (kept apart from the ticket row).
CREATE TABLE ticket_assets (
    ticket_id BIGINT PRIMARY KEY REFERENCES tickets(id),
    asset_id BIGINT NOT NULL REFERENCES assets(id)
);
CREATE INDEX ticket_assets_asset ON ticket_assets (asset_id);
CREATE TABLE warranty_claims (
    id BIGSERIAL PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets(id),
    asset_id BIGINT NOT NULL REFERENCES assets(id),
    vendor_id BIGINT REFERENCES vendors(id),
    maker TEXT,
    case_number TEXT,
    sent_on DATE NOT NULL,
    note TEXT,
    opened_by BIGINT NOT NULL REFERENCES users(id),
    created_at TIMESTAMPTZ NOT NULL,
    result TEXT,
    returned_on DATE,
    result_note TEXT,
    decided_by BIGINT REFERENCES users(id),
    decided_at TIMESTAMPTZ
);
CREATE INDEX warranty_claims_ticket ON warranty_claims (ticket_id);
