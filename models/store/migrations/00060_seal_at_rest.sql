-- +goose Up
-- Encryption at rest beyond bid content: what a provider submits must not be readable in a
-- dump through its side channels either — the receipt e-mail, the Postfach message, the
-- receipt PDF and the names of the bid's files (vault.Vault, docs/rules.md R23, README "Encryption at rest").
--
-- New rows are written sealed by the application. Rows written before this migration need
-- the master key to be sealed, which SQL does not have: `kimibv serve` seals them at start
-- (postbox.SealLegacyAtRest, idempotent, under an advisory lock) before it serves. The
-- immutability triggers below therefore permit exactly one change of a protected row: from
-- plain to sealed, with every other column unchanged.

-- A platform-wide data key per scope; 'mail' seals every queued e-mail.
CREATE TABLE platform_keys (
    scope             text PRIMARY KEY CHECK (scope ~ '^[a-z]{1,20}$'),
    wrapped_identity  bytea NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now()
);

-- Bid files (call_id set): the client's file name sealed with the call's key; name is ''.
ALTER TABLE files ADD COLUMN name_sealed bytea;
ALTER TABLE files DROP CONSTRAINT files_name_check;
ALTER TABLE files ADD CONSTRAINT files_name_check
    CHECK (CASE WHEN name_sealed IS NULL THEN length(name) BETWEEN 1 AND 255 ELSE name = '' END);

ALTER TABLE bid_version_files ADD COLUMN name_sealed bytea;
ALTER TABLE bid_version_files ADD CONSTRAINT bid_version_files_name_check
    CHECK (name_sealed IS NULL OR name = '');

-- Postfach: subject and body sealed together with the receiving organisation's key.
ALTER TABLE inbox_messages ADD COLUMN sealed bytea;
ALTER TABLE inbox_messages DROP CONSTRAINT inbox_messages_subject_check;
ALTER TABLE inbox_messages ADD CONSTRAINT inbox_messages_subject_check
    CHECK (CASE WHEN sealed IS NULL THEN length(subject) BETWEEN 1 AND 300 ELSE subject = '' AND body = '' END);

-- Outbox: recipient, subject and body sealed together with the platform key 'mail';
-- delivery errors (which may quote the recipient) likewise. last_error keeps only the
-- application's own notes, which name no person.
ALTER TABLE outbox ADD COLUMN sealed bytea;
ALTER TABLE outbox ADD COLUMN sealed_error bytea;
ALTER TABLE outbox ADD CONSTRAINT outbox_sealed_check
    CHECK (sealed IS NULL OR (to_addr = '' AND subject = '' AND body = ''));

-- Issued documents addressed to an organisation (receipts, Mitteilungen): the PDF sealed
-- with that organisation's key. size and file_sha256 stay those of the plain PDF.
ALTER TABLE issued_documents ADD COLUMN sealed boolean NOT NULL DEFAULT false;
ALTER TABLE issued_documents DROP CONSTRAINT issued_documents_check;
ALTER TABLE issued_documents ADD CONSTRAINT issued_documents_check
    CHECK (sealed OR size = octet_length(content));
ALTER TABLE issued_documents ADD CONSTRAINT issued_documents_sealed_check
    CHECK (NOT sealed OR recipient_org_id IS NOT NULL);

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION issued_documents_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- The one permitted change: sealing a plain document once (SealLegacyAtRest). Nested
    -- IFs: PL/pgSQL does not short-circuit, and TRUNCATE and DELETE have no NEW row.
    IF TG_OP = 'UPDATE' THEN
        IF NOT OLD.sealed AND NEW.sealed
           AND (NEW.id, NEW.tenant_id, NEW.call_id, NEW.kind, NEW.title, NEW.content_sha256, NEW.file_sha256, NEW.chain,
                NEW.chain_head, NEW.size, NEW.object_type, NEW.object_id, NEW.recipient_org_id, NEW.created_at)
               IS NOT DISTINCT FROM
               (OLD.id, OLD.tenant_id, OLD.call_id, OLD.kind, OLD.title, OLD.content_sha256, OLD.file_sha256, OLD.chain,
                OLD.chain_head, OLD.size, OLD.object_type, OLD.object_id, OLD.recipient_org_id, OLD.created_at) THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'issued_documents ist unveränderlich (% verweigert)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

-- Row changes of submitted versions' files: refused, except sealing a plain name once.
CREATE FUNCTION bid_version_files_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF OLD.name_sealed IS NULL AND NEW.name_sealed IS NOT NULL AND NEW.name = ''
           AND (NEW.bid_id, NEW.version, NEW.doc_key, NEW.file_id, NEW.sha256, NEW.size)
               IS NOT DISTINCT FROM (OLD.bid_id, OLD.version, OLD.doc_key, OLD.file_id, OLD.sha256, OLD.size) THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'Dateien eingereichter Fassungen sind unveränderlich (% verweigert)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

-- Files held by a submitted version: neither metadata nor content may change, except
-- sealing the file's plain name once.
CREATE OR REPLACE FUNCTION bid_files_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE fid bigint;
BEGIN
    IF TG_TABLE_NAME = 'files' THEN fid := OLD.id; ELSE fid := OLD.file_id; END IF;
    -- Nested: PL/pgSQL does not short-circuit, and file_chunks rows have no name_sealed.
    IF TG_TABLE_NAME = 'files' AND TG_OP = 'UPDATE' THEN
        IF OLD.name_sealed IS NULL AND NEW.name_sealed IS NOT NULL AND NEW.name = ''
           AND (NEW.id, NEW.call_id, NEW.org_id, NEW.kind, NEW.content_type, NEW.size, NEW.sha256, NEW.encrypted, NEW.created_by, NEW.created_at)
               IS NOT DISTINCT FROM
               (OLD.id, OLD.call_id, OLD.org_id, OLD.kind, OLD.content_type, OLD.size, OLD.sha256, OLD.encrypted, OLD.created_by, OLD.created_at) THEN
            RETURN NEW;
        END IF;
    END IF;
    IF EXISTS (SELECT 1 FROM bid_version_files WHERE file_id = fid) THEN
        RAISE EXCEPTION 'Datei % gehört zu einer eingereichten Fassung (% verweigert)', fid, TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd

DROP TRIGGER bid_version_files_no_update_delete ON bid_version_files;
CREATE TRIGGER bid_version_files_no_update_delete BEFORE UPDATE OR DELETE ON bid_version_files
    FOR EACH ROW EXECUTE FUNCTION bid_version_files_guard();

-- +goose Down
-- Sealed rows cannot be turned back into plain text here (that needs the key); the Down
-- migration only restores the schema and refuses while sealed rows exist.
-- +goose StatementBegin
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM issued_documents WHERE sealed) OR EXISTS (SELECT 1 FROM files WHERE name_sealed IS NOT NULL)
       OR EXISTS (SELECT 1 FROM inbox_messages WHERE sealed IS NOT NULL) OR EXISTS (SELECT 1 FROM outbox WHERE sealed IS NOT NULL) THEN
        RAISE EXCEPTION 'sealed rows exist: downgrading would make them unreadable';
    END IF;
END;
$$;
-- +goose StatementEnd
DROP TRIGGER bid_version_files_no_update_delete ON bid_version_files;
CREATE TRIGGER bid_version_files_no_update_delete BEFORE UPDATE OR DELETE ON bid_version_files
    FOR EACH ROW EXECUTE FUNCTION bid_version_files_immutable();
DROP FUNCTION bid_version_files_guard();

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION bid_files_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE fid bigint;
BEGIN
    IF TG_TABLE_NAME = 'files' THEN fid := OLD.id; ELSE fid := OLD.file_id; END IF;
    IF EXISTS (SELECT 1 FROM bid_version_files WHERE file_id = fid) THEN
        RAISE EXCEPTION 'Datei % gehört zu einer eingereichten Fassung (% verweigert)', fid, TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$;

CREATE OR REPLACE FUNCTION issued_documents_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'issued_documents ist unveränderlich (% verweigert)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- +goose StatementEnd

ALTER TABLE issued_documents DROP CONSTRAINT issued_documents_sealed_check;
ALTER TABLE issued_documents DROP CONSTRAINT issued_documents_check;
ALTER TABLE issued_documents ADD CONSTRAINT issued_documents_check CHECK (size = octet_length(content));
ALTER TABLE issued_documents DROP COLUMN sealed;
ALTER TABLE outbox DROP CONSTRAINT outbox_sealed_check;
ALTER TABLE outbox DROP COLUMN sealed_error;
ALTER TABLE outbox DROP COLUMN sealed;
ALTER TABLE inbox_messages DROP CONSTRAINT inbox_messages_subject_check;
ALTER TABLE inbox_messages ADD CONSTRAINT inbox_messages_subject_check CHECK (length(subject) BETWEEN 1 AND 300);
ALTER TABLE inbox_messages DROP COLUMN sealed;
ALTER TABLE bid_version_files DROP CONSTRAINT bid_version_files_name_check;
ALTER TABLE bid_version_files DROP COLUMN name_sealed;
ALTER TABLE files DROP CONSTRAINT files_name_check;
ALTER TABLE files ADD CONSTRAINT files_name_check CHECK (length(name) BETWEEN 1 AND 255);
ALTER TABLE files DROP COLUMN name_sealed;
DROP TABLE platform_keys;
