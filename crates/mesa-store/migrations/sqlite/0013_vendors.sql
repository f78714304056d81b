-- Vendors, contracts, vendor escalations, assets, warranty claims and
-- technical assessments (issue 15). Dates (no time) are YYYY-MM-DD text.
CREATE TABLE vendors (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    nit TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CONSTRAINT vendors_nit_key UNIQUE (nit)
);
-- A vendor's contacts, in the order given.
CREATE TABLE vendor_contacts (
    vendor_id INTEGER NOT NULL REFERENCES vendors(id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    PRIMARY KEY (vendor_id, position)
);
-- A support contract: its targets are business hours on the named calendar.
CREATE TABLE contracts (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL,
    object TEXT NOT NULL,
    vendor_id INTEGER NOT NULL REFERENCES vendors(id),
    supervisor_id INTEGER NOT NULL REFERENCES users(id),
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    response_hours INTEGER NOT NULL,
    resolution_hours INTEGER NOT NULL,
    calendar TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CONSTRAINT contracts_number_key UNIQUE (number)
);
CREATE TABLE contract_services (
    contract_id INTEGER NOT NULL REFERENCES contracts(id),
    service_id INTEGER NOT NULL REFERENCES services(id),
    PRIMARY KEY (contract_id, service_id)
);
CREATE INDEX contract_services_service ON contract_services (service_id);
-- A ticket sent to a vendor under a contract; the instants are the vendor's clocks' stops.
CREATE TABLE vendor_escalations (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    contract_id INTEGER NOT NULL REFERENCES contracts(id),
    vendor_case TEXT,
    note TEXT NOT NULL,
    escalated_by INTEGER NOT NULL REFERENCES users(id),
    escalated_at TEXT NOT NULL,
    responded_at TEXT,
    solved_at TEXT,
    closed_at TEXT,
    last_event_at TEXT,
    version BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX vendor_escalations_ticket ON vendor_escalations (ticket_id);
CREATE INDEX vendor_escalations_contract ON vendor_escalations (contract_id);
CREATE TABLE escalation_events (
    id INTEGER PRIMARY KEY,
    escalation_id INTEGER NOT NULL REFERENCES vendor_escalations(id),
    kind TEXT NOT NULL,
    note TEXT,
    happened_at TEXT NOT NULL,
    author_id INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX escalation_events_escalation ON escalation_events (escalation_id, id);
-- The inventory; idempotent imports match by inventory tag.
CREATE TABLE assets (
    id INTEGER PRIMARY KEY,
    inventory_tag TEXT NOT NULL,
    type TEXT NOT NULL,
    brand TEXT,
    model TEXT,
    serial TEXT,
    building_id INTEGER REFERENCES buildings(id),
    department_id INTEGER REFERENCES departments(id),
    assigned_to INTEGER REFERENCES users(id),
    vendor_id INTEGER REFERENCES vendors(id),
    purchase_date TEXT,
    warranty_end TEXT,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT assets_inventory_tag_key UNIQUE (inventory_tag)
);
CREATE INDEX assets_assigned ON assets (assigned_to);
-- The asset a ticket is about (kept apart from the ticket row).
CREATE TABLE ticket_assets (
    ticket_id INTEGER PRIMARY KEY REFERENCES tickets(id),
    asset_id INTEGER NOT NULL REFERENCES assets(id)
);
CREATE INDEX ticket_assets_asset ON ticket_assets (asset_id);
CREATE TABLE warranty_claims (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    asset_id INTEGER NOT NULL REFERENCES assets(id),
    vendor_id INTEGER REFERENCES vendors(id),
    maker TEXT,
    case_number TEXT,
    sent_on TEXT NOT NULL,
    note TEXT,
    opened_by INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    result TEXT,
    returned_on TEXT,
    result_note TEXT,
    decided_by INTEGER REFERENCES users(id),
    decided_at TEXT
);
CREATE INDEX warranty_claims_ticket ON warranty_claims (ticket_id);
