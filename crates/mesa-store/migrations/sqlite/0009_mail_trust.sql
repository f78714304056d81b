-- Mail you can trust (issue 11).

-- What the message says, hashed without its trace fields (mesa_mail::content_hash):
-- a message stored again under the same Message-ID is the same message only if
-- this matches. A different one gets a key of its own and is flagged.
ALTER TABLE mail_inbox ADD COLUMN content_hash TEXT;
ALTER TABLE mail_inbox ADD COLUMN reused_message_id BOOLEAN NOT NULL DEFAULT FALSE;

-- Sender authentication of the message: pass | fail | none | temperror, and
-- how it was reached (DKIM/SPF/DMARC results, or the trusted MTA's header).
ALTER TABLE mail_inbox ADD COLUMN auth_verdict TEXT;
ALTER TABLE mail_inbox ADD COLUMN auth_detail TEXT;
