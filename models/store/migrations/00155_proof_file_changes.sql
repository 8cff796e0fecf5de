-- +goose Up
-- Replacing the PDF of receipts of a Verwendungsnachweis (docs/rules.md R38): until the
-- lead checks the proof, the provider may replace its PDF or add one it did not send.
-- proofs.file_id stays the current file; every change is a row here naming the file it
-- replaced (NULL: the proof had none) and the new one, at the database clock. A replaced
-- file is never deleted: this table references it, and the rows are never changed.
CREATE TABLE proof_file_changes (
    id           bigserial PRIMARY KEY,
    proof_id     bigint NOT NULL REFERENCES proofs,
    old_file_id  bigint UNIQUE REFERENCES files,
    new_file_id  bigint NOT NULL UNIQUE REFERENCES files,
    changed_by   bigint NOT NULL REFERENCES users,
    changed_at   timestamptz NOT NULL,
    CHECK (old_file_id IS DISTINCT FROM new_file_id)
);
CREATE INDEX proof_file_changes_proof_idx ON proof_file_changes (proof_id, id);

-- +goose StatementBegin
CREATE FUNCTION proof_file_changes_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'proof_file_changes ist unveränderlich (% verweigert)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

-- The PDF of a checked proof stays what the lead checked, and a PDF is never taken away.
CREATE FUNCTION proofs_file_until_checked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.file_id IS DISTINCT FROM OLD.file_id AND (OLD.checked_at IS NOT NULL OR NEW.file_id IS NULL) THEN
        RAISE EXCEPTION 'die Belege eines Verwendungsnachweises ändern sich nur vor der Prüfung und werden nie entfernt'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER proof_file_changes_no_update_delete BEFORE UPDATE OR DELETE ON proof_file_changes
    FOR EACH ROW EXECUTE FUNCTION proof_file_changes_immutable();
CREATE TRIGGER proofs_file_until_checked BEFORE UPDATE OF file_id ON proofs
    FOR EACH ROW EXECUTE FUNCTION proofs_file_until_checked();

-- +goose Down
DROP TRIGGER proofs_file_until_checked ON proofs;
DROP FUNCTION proofs_file_until_checked();
DROP TABLE proof_file_changes;
DROP FUNCTION proof_file_changes_immutable();
