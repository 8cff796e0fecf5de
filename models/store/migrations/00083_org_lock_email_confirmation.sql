-- +goose Up
-- The operator can lock a provider organisation (accounts.LockOrganization): its members
-- lose their access to it and cannot log in unless they hold another role.
ALTER TABLE organizations ADD COLUMN locked_at timestamptz;
ALTER TABLE organizations ADD COLUMN locked_reason text NOT NULL DEFAULT ''
    CHECK (length(locked_reason) <= 1000);

-- Self-registration confirms the e-mail address (accounts.ConfirmEmail): until then the
-- account cannot log in. Every account that exists now, and every account created by an
-- invitation, the operator or the demonstration, counts as confirmed (the default).
ALTER TABLE users ADD COLUMN email_confirmed_at timestamptz DEFAULT now();

-- One-time confirmation links: only the SHA-256 of the token is stored.
CREATE TABLE email_confirmations (
    token_hash  bytea PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX email_confirmations_user_idx ON email_confirmations (user_id);

-- +goose Down
DROP TABLE email_confirmations;
ALTER TABLE users DROP COLUMN email_confirmed_at;
ALTER TABLE organizations DROP COLUMN locked_reason;
ALTER TABLE organizations DROP COLUMN locked_at;
