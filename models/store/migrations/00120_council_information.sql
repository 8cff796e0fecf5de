-- +goose Up
-- Equal information for the council (docs/rules.md R32): the factions of the Kreistag,
-- the lead's status reports (Sachstandsberichte), the members' questions (Anfragen) with
-- their answers, and the distribution record: one row per report or answer with the
-- content hash, and one receipt per member with the faction at the time and when the
-- member opened it. Reports, questions and distributions are never deleted.
CREATE TABLE council_factions (
    id         bigserial PRIMARY KEY,
    tenant_id  bigint NOT NULL REFERENCES tenants,
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    kind       text NOT NULL CHECK (kind IN ('fraktion', 'gruppe')),
    created_at timestamptz NOT NULL,
    UNIQUE (tenant_id, name)
);

-- A council member's faction; no row: the member belongs to none.
CREATE TABLE council_member_factions (
    tenant_id  bigint NOT NULL REFERENCES tenants,
    user_id    bigint NOT NULL REFERENCES users,
    faction_id bigint NOT NULL REFERENCES council_factions,
    PRIMARY KEY (tenant_id, user_id)
);

CREATE TABLE council_reports (
    id           bigserial PRIMARY KEY,
    tenant_id    bigint NOT NULL REFERENCES tenants,
    call_id      bigint NOT NULL REFERENCES calls,
    stage        text NOT NULL CHECK (stage IN ('consultation_closed', 'call_published', 'opening', 'decision_prepared', 'award', 'reporting')),
    title        text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    body         text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
    document_id  bigint NOT NULL REFERENCES issued_documents,
    published_by bigint NOT NULL REFERENCES users,
    published_at timestamptz NOT NULL
);
CREATE INDEX council_reports_call_idx ON council_reports (call_id, published_at);

CREATE TABLE council_questions (
    id           bigserial PRIMARY KEY,
    tenant_id    bigint NOT NULL REFERENCES tenants,
    call_id      bigint NOT NULL REFERENCES calls,
    asked_by     bigint NOT NULL REFERENCES users,
    faction_name text NOT NULL DEFAULT '', -- the asking member's faction when asked; '' none
    question     text NOT NULL CHECK (length(question) BETWEEN 1 AND 4000),
    asked_at     timestamptz NOT NULL,
    answer       text CHECK (length(answer) BETWEEN 1 AND 20000),
    answered_by  bigint REFERENCES users,
    answered_at  timestamptz,
    CHECK ((answer IS NULL) = (answered_at IS NULL) AND (answer IS NULL) = (answered_by IS NULL))
);
CREATE INDEX council_questions_call_idx ON council_questions (call_id, asked_at);

-- One distribution per report or answer: what every member received (content_sha256:
-- SHA-256 of the canonical JSON of the content) and when.
CREATE TABLE council_distributions (
    id             bigserial PRIMARY KEY,
    tenant_id      bigint NOT NULL REFERENCES tenants,
    call_id        bigint NOT NULL REFERENCES calls,
    report_id      bigint UNIQUE REFERENCES council_reports,
    question_id    bigint UNIQUE REFERENCES council_questions,
    content_sha256 text NOT NULL CHECK (content_sha256 ~ '^[0-9a-f]{64}$'),
    distributed_at timestamptz NOT NULL,
    CHECK ((report_id IS NULL) <> (question_id IS NULL))
);
CREATE INDEX council_distributions_call_idx ON council_distributions (call_id, distributed_at);

CREATE TABLE council_receipts (
    distribution_id bigint NOT NULL REFERENCES council_distributions,
    user_id         bigint NOT NULL REFERENCES users,
    faction_name    text NOT NULL DEFAULT '',
    received_at     timestamptz NOT NULL,
    read_at         timestamptz,
    PRIMARY KEY (distribution_id, user_id)
);
CREATE INDEX council_receipts_user_idx ON council_receipts (user_id, read_at);

-- The status report is an issued document of its own kind, "sachstandsbericht"; the kind
-- check is a pattern since 00115, the kinds are named in models/vault/documents.go.

-- +goose Down
DELETE FROM issued_documents WHERE kind = 'sachstandsbericht';
DROP TABLE council_receipts;
DROP TABLE council_distributions;
DROP TABLE council_questions;
DROP TABLE council_reports;
DROP TABLE council_member_factions;
DROP TABLE council_factions;
