-- +goose Up
-- Council members' declarations of their own ties to the bidders of a procedure (§ 31 GO
-- NRW, docs/rules.md R25): one row per member, procedure and bidding organisation, written once
-- before the member opens the procedure's non-public annex; a tie other than 'none'
-- hides the annex for that member. Declarations never change (trigger below).
CREATE TABLE council_declarations (
    call_id      bigint NOT NULL REFERENCES calls,
    user_id      bigint NOT NULL REFERENCES users,
    org_id       bigint NOT NULL REFERENCES organizations,
    tie          text NOT NULL CHECK (tie IN ('none', 'employment', 'board', 'membership', 'family', 'other')),
    note         text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    declared_at  timestamptz NOT NULL,
    PRIMARY KEY (call_id, user_id, org_id)
);
CREATE INDEX council_declarations_user_idx ON council_declarations (user_id, call_id);

-- +goose StatementBegin
CREATE FUNCTION council_declarations_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'Erklärungen von Kreistagsmitgliedern sind unveränderlich (% verweigert)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER council_declarations_final BEFORE UPDATE OR DELETE ON council_declarations
    FOR EACH ROW EXECUTE FUNCTION council_declarations_guard();

-- +goose Down
DROP TABLE council_declarations;
DROP FUNCTION council_declarations_guard();
