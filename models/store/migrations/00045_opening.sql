-- +goose Up
-- Closing and the two-person opening (docs/rules.md R14, R15, R2, R8). At the deadline a
-- call moves to 'closed' (Frist abgelaufen, calls.CloseDueCalls); two distinct openers of
-- the Kreis named in call_committee confirm the opening, each in their own session
-- (openings); the second confirmation sets calls.opened_at (ReadBids then returns content),
-- moves the call to 'opened' and freezes what was opened for the Öffnungsprotokoll
-- (opening_bids, opening_files). Nothing of this ever changes (triggers below).

INSERT INTO call_states (state, ord) VALUES ('closed', 30), ('opened', 40);

ALTER TABLE calls ADD COLUMN closed_at timestamptz;

-- Submit attempts refused because the deadline had passed: a count per call, no content,
-- no organisation (the Öffnungsprotokoll states the number).
CREATE TABLE call_late_attempts (
    call_id   bigint PRIMARY KEY REFERENCES calls,
    attempts  integer NOT NULL CHECK (attempts > 0),
    last_at   timestamptz NOT NULL
);

CREATE TABLE openings (
    call_id       bigint NOT NULL REFERENCES calls,
    user_id       bigint NOT NULL REFERENCES users,
    confirmed_at  timestamptz NOT NULL,
    PRIMARY KEY (call_id, user_id)
);

-- What the opening found, frozen at the second confirmation: every bid with a submitted
-- version (also withdrawn ones), its organisation, version, receipt time, content hash,
-- re-confirmation state and requested posts per lot (decimals as strings).
CREATE TABLE opening_bids (
    bid_id                bigint PRIMARY KEY REFERENCES bids,
    call_id               bigint NOT NULL REFERENCES calls,
    org_id                bigint NOT NULL REFERENCES organizations,
    org_name              text NOT NULL,
    state                 text NOT NULL CHECK (state IN ('submitted', 'withdrawn')),
    version               integer NOT NULL,
    call_version          integer NOT NULL,
    kind                  text NOT NULL,
    receipt_at            timestamptz NOT NULL,
    content_sha256        text NOT NULL CHECK (content_sha256 ~ '^[0-9a-f]{64}$'),
    needs_reconfirmation  boolean NOT NULL,
    lots                  jsonb NOT NULL,
    UNIQUE (call_id, org_id)
);
CREATE INDEX opening_bids_call_idx ON opening_bids (call_id);

-- The files of the opened versions; for a document taken from the wallet its type and
-- dates as they stood at the opening (the formal check applies the expiry rule at the deadline).
CREATE TABLE opening_files (
    bid_id       bigint NOT NULL REFERENCES opening_bids,
    doc_key      text NOT NULL,
    file_id      bigint NOT NULL REFERENCES files,
    name         text NOT NULL,
    size         bigint NOT NULL,
    sha256       text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    doc_type     text,
    issued_on    date,
    valid_until  date,
    PRIMARY KEY (bid_id, doc_key)
);

-- +goose StatementBegin
CREATE FUNCTION evaluation_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'Einträge in % sind unveränderlich (% verweigert)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

-- At most two opening confirmations per call (the use case locks the call first).
CREATE FUNCTION openings_at_most_two() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT count(*) FROM openings WHERE call_id = NEW.call_id) >= 2 THEN
        RAISE EXCEPTION 'die Öffnung ist bereits von zwei Personen bestätigt' USING ERRCODE = 'unique_violation';
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER openings_two BEFORE INSERT ON openings FOR EACH ROW EXECUTE FUNCTION openings_at_most_two();
CREATE TRIGGER openings_immutable BEFORE UPDATE OR DELETE ON openings FOR EACH ROW EXECUTE FUNCTION evaluation_immutable();
CREATE TRIGGER opening_bids_immutable BEFORE UPDATE OR DELETE ON opening_bids FOR EACH ROW EXECUTE FUNCTION evaluation_immutable();
CREATE TRIGGER opening_files_immutable BEFORE UPDATE OR DELETE ON opening_files FOR EACH ROW EXECUTE FUNCTION evaluation_immutable();

-- +goose Down
DROP TABLE opening_files;
DROP TABLE opening_bids;
DROP TABLE openings;
DROP TABLE call_late_attempts;
DROP FUNCTION openings_at_most_two();
DROP FUNCTION evaluation_immutable();
ALTER TABLE calls DROP COLUMN closed_at;
DELETE FROM call_states WHERE state IN ('closed', 'opened');
