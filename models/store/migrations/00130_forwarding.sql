-- +goose Up
-- Forwarding of the state funds after the final award (docs/rules.md R35–R38): the
-- Weiterleitungsvertrag (or Zuwendungsbescheid, a Kreis setting) per selected provider,
-- its acceptance by the provider's organisation administrator, the state of each post
-- (no names), and the Mittelabrufe with their decision and payment. Amounts are integer
-- cents; the frozen terms of a contract are the canonical JSON its PDF was issued from.
ALTER TABLE tenants
    ADD COLUMN forwarding_form        text NOT NULL DEFAULT 'vertrag' CHECK (forwarding_form IN ('vertrag', 'bescheid')),
    ADD COLUMN vacancy_flag_months    int  NOT NULL DEFAULT 3 CHECK (vacancy_flag_months BETWEEN 1 AND 24);

-- The contract is an issued document of kind "weiterleitungsvertrag" (the kind check is a
-- pattern since 00115; the kinds are named in models/vault/documents.go).

CREATE TABLE forwarding_contracts (
    id             bigserial PRIMARY KEY,
    tenant_id      bigint NOT NULL REFERENCES tenants,
    call_id        bigint NOT NULL REFERENCES calls,
    org_id         bigint NOT NULL REFERENCES organizations,
    bid_id         bigint NOT NULL REFERENCES bids,
    form           text NOT NULL CHECK (form IN ('vertrag', 'bescheid')),
    terms          jsonb NOT NULL,
    document_id    bigint NOT NULL REFERENCES issued_documents,
    issued_by      bigint NOT NULL REFERENCES users,
    issued_at      timestamptz NOT NULL,
    accepted_by    bigint REFERENCES users,
    accepted_name  text,
    accepted_at    timestamptz,
    UNIQUE (call_id, org_id),
    CHECK ((accepted_by IS NULL) = (accepted_at IS NULL) AND (accepted_at IS NULL) = (accepted_name IS NULL))
);
CREATE INDEX forwarding_contracts_org_idx ON forwarding_contracts (org_id);

-- Each report of a post's state is a new row (the history gives "posts filled over time");
-- the post's current state is its latest row.
CREATE TABLE post_reports (
    id             bigserial PRIMARY KEY,
    contract_id    bigint NOT NULL REFERENCES forwarding_contracts,
    lot_key        text NOT NULL,
    post_no        int  NOT NULL CHECK (post_no BETWEEN 1 AND 99),
    state          text NOT NULL CHECK (state IN ('filled', 'vacant')),
    fte            numeric(4,2) NOT NULL CHECK (fte >= 0 AND fte <= 1),
    start_date     date,
    qualified      boolean NOT NULL DEFAULT false,
    vacant_since   date,
    planned_start  date,
    reported_by    bigint NOT NULL REFERENCES users,
    reported_at    timestamptz NOT NULL,
    CHECK (state <> 'filled' OR (start_date IS NOT NULL AND qualified AND fte > 0)),
    CHECK (state <> 'vacant' OR (vacant_since IS NOT NULL AND fte = 0))
);
CREATE INDEX post_reports_post_idx ON post_reports (contract_id, lot_key, post_no, id DESC);

CREATE TABLE drawdowns (
    id             bigserial PRIMARY KEY,
    contract_id    bigint NOT NULL REFERENCES forwarding_contracts,
    period_from    date NOT NULL,
    period_to      date NOT NULL CHECK (period_to >= period_from),
    amount_cents   bigint NOT NULL CHECK (amount_cents > 0),
    state          text NOT NULL DEFAULT 'requested' CHECK (state IN ('requested', 'approved', 'refused', 'paid')),
    requested_by   bigint NOT NULL REFERENCES users,
    requested_at   timestamptz NOT NULL,
    decided_by     bigint REFERENCES users,
    decided_at     timestamptz,
    reason         text NOT NULL DEFAULT '',
    paid_by        bigint REFERENCES users,
    paid_at        timestamptz
);
CREATE INDEX drawdowns_contract_idx ON drawdowns (contract_id, period_from);

-- +goose Down
DROP TABLE drawdowns;
DROP TABLE post_reports;
DROP TABLE forwarding_contracts;
ALTER TABLE tenants DROP COLUMN vacancy_flag_months, DROP COLUMN forwarding_form;
