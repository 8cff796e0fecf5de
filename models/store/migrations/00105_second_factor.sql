-- +goose Up
-- The second factor (rules.md R29): one TOTP secret per user, sealed with the vault's
-- platform key "secondfactor"; confirmed_at is NULL while the enrolment awaits its first
-- code. last_step is the RFC 6238 time step of the last accepted code: a code of that
-- step or an earlier one is refused, so no code is accepted twice.
CREATE TABLE second_factors (
    user_id       bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret_sealed bytea NOT NULL,
    confirmed_at  timestamptz,
    last_step     bigint NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- Ten one-time recovery codes per user, stored as argon2id hashes; lookup is the code's
-- first group (not secret on its own) so that a login checks one hash, not ten.
CREATE TABLE recovery_codes (
    id        bigserial PRIMARY KEY,
    user_id   bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    lookup    text NOT NULL,
    code_hash text NOT NULL,
    used_at   timestamptz
);
CREATE INDEX recovery_codes_user_idx ON recovery_codes (user_id, lookup);

-- A Kreis may require the second factor of its evaluators and council members too; an
-- organisation's administrators may require it of its members.
ALTER TABLE tenants ADD COLUMN second_factor_all_staff boolean NOT NULL DEFAULT false;
ALTER TABLE organizations ADD COLUMN second_factor_required boolean NOT NULL DEFAULT false;

-- The session's proofs (its second factor, the last proof of identity) are kept in its row
-- of user_sessions (00110), the row every request of the session reads anyway.

-- +goose Down
ALTER TABLE organizations DROP COLUMN second_factor_required;
ALTER TABLE tenants DROP COLUMN second_factor_all_staff;
DROP TABLE recovery_codes;
DROP TABLE second_factors;
