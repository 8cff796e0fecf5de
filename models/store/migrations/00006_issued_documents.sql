-- +goose Up
-- Issued documents (docs/rules.md R8): every PDF the system issues is stored once,
-- byte for byte, and never changes. content_sha256 is the Prüfwert printed in the PDF's
-- footer (SHA-256 of the canonical JSON of the data the document shows; a PDF cannot
-- contain the hash of its own bytes); file_sha256 is the hash of the stored PDF bytes.
-- The public document check (/dokumentenpruefung) accepts either. chain_head is the head
-- of the audit chain named in chain at issue time, also printed in the footer.
CREATE TABLE issued_documents (
    id               bigserial PRIMARY KEY,
    tenant_id        bigint NOT NULL REFERENCES tenants,
    call_id          bigint, -- calls(id); no foreign key: calls is created by a later migration (00010)
    kind             text NOT NULL CHECK (kind IN ('bekanntmachung', 'eingangsbestaetigung', 'oeffnungsprotokoll',
                         'bewertungsmatrix', 'vergabevermerk', 'mitteilung', 'nachforderung', 'vergabedokumentation')),
    title            text NOT NULL,
    content_sha256   text NOT NULL CHECK (content_sha256 ~ '^[0-9a-f]{64}$'),
    file_sha256      text NOT NULL UNIQUE CHECK (file_sha256 ~ '^[0-9a-f]{64}$'),
    chain            text NOT NULL,
    chain_head       text NOT NULL,
    size             bigint NOT NULL CHECK (size = octet_length(content)),
    content          bytea NOT NULL,
    object_type      text NOT NULL,
    object_id        text NOT NULL,
    recipient_org_id bigint REFERENCES organizations,
    created_at       timestamptz NOT NULL
);
CREATE INDEX issued_documents_content_sha_idx ON issued_documents (content_sha256);
CREATE INDEX issued_documents_object_idx ON issued_documents (object_type, object_id);
CREATE INDEX issued_documents_call_idx ON issued_documents (call_id, kind);

-- +goose StatementBegin
CREATE FUNCTION issued_documents_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'issued_documents ist unveränderlich (% verweigert)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER issued_documents_no_update_delete BEFORE UPDATE OR DELETE ON issued_documents
    FOR EACH ROW EXECUTE FUNCTION issued_documents_immutable();
CREATE TRIGGER issued_documents_no_truncate BEFORE TRUNCATE ON issued_documents
    FOR EACH STATEMENT EXECUTE FUNCTION issued_documents_immutable();

-- +goose Down
DROP TABLE issued_documents;
DROP FUNCTION issued_documents_immutable();
