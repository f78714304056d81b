-- OAuth2 refresh for XOAUTH2 mailboxes (Microsoft 365, Google Workspace).

-- With a token endpoint, a mailbox gets its access tokens itself: the
-- refresh grant needs the endpoint, the client id (and for confidential
-- clients its secret), the refresh token and optionally a scope. The client
-- secret and the refresh token, like `secret`, never leave the server.
ALTER TABLE mailboxes ADD COLUMN oauth_token_url TEXT;
ALTER TABLE mailboxes ADD COLUMN oauth_client_id TEXT;
ALTER TABLE mailboxes ADD COLUMN oauth_client_secret TEXT;
ALTER TABLE mailboxes ADD COLUMN oauth_refresh_token TEXT;
ALTER TABLE mailboxes ADD COLUMN oauth_scope TEXT;
-- The current access token and when it expires, shared by every server
-- process (one refresh serves them all); cleared when an admin saves the mailbox.
ALTER TABLE mailboxes ADD COLUMN oauth_access_token TEXT;
ALTER TABLE mailboxes ADD COLUMN oauth_expires_at TEXT;
