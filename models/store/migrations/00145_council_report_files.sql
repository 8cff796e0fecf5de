-- +goose Up
-- Attachments of the status reports (rules.md R32): PDFs the lead uploads for the next
-- report of a procedure (report_id NULL: waiting); publishing the report takes all waiting
-- attachments of the procedure, names them in the report's canonical content (so the
-- distribution's content hash covers them) and sets report_id. Only uploads, never bid
-- files: the files are of kind 'council'.
CREATE TABLE council_report_files (
    file_id    bigint PRIMARY KEY REFERENCES files,
    call_id    bigint NOT NULL REFERENCES calls,
    tenant_id  bigint NOT NULL REFERENCES tenants,
    report_id  bigint REFERENCES council_reports,
    -- the display name in the clear (files.name of a procedure's file is sealed; this one
    -- is the Kreis's own upload, shown to the council with the report)
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    added_by   bigint NOT NULL REFERENCES users,
    added_at   timestamptz NOT NULL
);
CREATE INDEX council_report_files_call_idx ON council_report_files (call_id, report_id);

-- +goose Down
DROP TABLE council_report_files;
