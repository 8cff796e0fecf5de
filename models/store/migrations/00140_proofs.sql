-- +goose Up
-- The Verwendungsnachweis per contract and Förderjahr (docs/rules.md R38): the provider's
-- Sachbericht and numbers (integer cents; personnel costs per post as a JSON object
-- "lot/post" → cents), an optional PDF in the vault, the receipt time from the database
-- clock, and the lead's check with its result, reason and the amount to be repaid.
CREATE TABLE proofs (
    id                bigserial PRIMARY KEY,
    contract_id       bigint NOT NULL REFERENCES forwarding_contracts,
    year_no           int    NOT NULL CHECK (year_no BETWEEN 1 AND 20),
    report            text   NOT NULL,
    personnel         jsonb  NOT NULL,
    personnel_cents   bigint NOT NULL CHECK (personnel_cents >= 0),
    other_cents       bigint NOT NULL CHECK (other_cents >= 0),
    received_cents    bigint NOT NULL CHECK (received_cents >= 0),
    file_id           bigint REFERENCES files,
    submitted_by      bigint NOT NULL REFERENCES users,
    submitted_at      timestamptz NOT NULL DEFAULT now(),
    result            text CHECK (result IN ('anerkannt', 'rueckforderung', 'nicht_anerkannt')),
    reason            text NOT NULL DEFAULT '',
    repayment_cents   bigint NOT NULL DEFAULT 0 CHECK (repayment_cents >= 0),
    checked_by        bigint REFERENCES users,
    checked_at        timestamptz,
    UNIQUE (contract_id, year_no),
    CHECK ((result IS NULL) = (checked_at IS NULL) AND (checked_at IS NULL) = (checked_by IS NULL))
);

-- One row per reminder sent: the cron job inserts before it notifies, so a second run sends
-- nothing.
CREATE TABLE proof_reminders (
    contract_id  bigint NOT NULL REFERENCES forwarding_contracts,
    year_no      int    NOT NULL,
    kind         text   NOT NULL CHECK (kind IN ('before', 'after')),
    sent_at      timestamptz NOT NULL,
    PRIMARY KEY (contract_id, year_no, kind)
);

-- +goose Down
DROP TABLE proof_reminders;
DROP TABLE proofs;
