-- +goose Up
-- Single sign-on for Kreis staff through the Kreis's OpenID Connect provider (rules.md R28).
-- The client secret is not stored here: the operator provides it as a file
-- (KIMIBV_OIDC_<KREIS>_CLIENT_SECRET_FILE).
CREATE TABLE tenant_sso (
    tenant_id    bigint PRIMARY KEY REFERENCES tenants (id),
    issuer       text NOT NULL CHECK (length(issuer) BETWEEN 1 AND 500),
    client_id    text NOT NULL CHECK (length(client_id) BETWEEN 1 AND 200),
    email_domain text NOT NULL CHECK (length(email_domain) BETWEEN 1 AND 200),
    sso_only     boolean NOT NULL DEFAULT false,
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- The provider's account (issuer and subject) linked to a kimibv account at its first
-- single sign-on; one provider account per person and Kreis.
CREATE TABLE sso_identities (
    issuer    text NOT NULL,
    subject   text NOT NULL,
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    user_id   bigint NOT NULL REFERENCES users (id),
    linked_at timestamptz NOT NULL,
    PRIMARY KEY (issuer, subject, tenant_id),
    UNIQUE (tenant_id, user_id)
);

-- A started sign-on: the state (stored as its SHA-256), the nonce and the PKCE verifier,
-- used once by the callback.
CREATE TABLE sso_logins (
    state_hash bytea PRIMARY KEY,
    tenant_id  bigint NOT NULL REFERENCES tenants (id),
    nonce      text NOT NULL,
    verifier   text NOT NULL,
    next       text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX sso_logins_created ON sso_logins (created_at);

-- +goose Down
DROP TABLE sso_logins;
DROP TABLE sso_identities;
DROP TABLE tenant_sso;
