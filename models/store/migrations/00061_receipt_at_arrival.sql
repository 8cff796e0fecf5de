-- +goose Up
-- rules.md R3, revised: a submission counts when its complete request reached kimibv at
-- or before the deadline — its arrival —, not when its transaction happens to commit. Under
-- load the two differ: a request that arrived in time may wait in the server before its
-- transaction runs, and must not be turned away for that.
--
-- The application computes the arrival inside the submitting transaction from the database
-- clock: clock_timestamp() at the transaction's first statement minus the time the request
-- has waited in the server since it was read (measured on the server's monotonic clock,
-- before any lock wait), and inserts it as receipt_at. At COMMIT this trigger checks it:
--   - not in the future: at most clock_timestamp();
--   - not earlier than the transaction start minus the longest wait the server allows
--     (submission_queue_limit(); the application refuses longer waits itself, and the
--     opening comes that long after the deadline at the earliest, so no timely request can
--     still be waiting when the bids are opened);
--   - at or before the deadline, and the bids not yet opened; otherwise the commit is
--     refused (KB001) and leaves nothing behind — even if it commits before a timely one.
-- A row inserted without receipt_at (bulk tools) is receipted at COMMIT, as before: the
-- commit is never earlier than the arrival, so this can only make a submission late.

-- The submission records its Eingangsbestätigung as owed (bid_receipts without a
-- document); the PDF, the Postfach message and the e-mails follow outside the submitting
-- request. This index finds the owed ones (bids.IssueOwedReceipts).
CREATE INDEX bid_receipts_owed ON bid_receipts (issued_at) WHERE document_id IS NULL;

-- +goose StatementBegin
CREATE FUNCTION submission_queue_limit() RETURNS interval LANGUAGE sql IMMUTABLE AS $$ SELECT interval '30 seconds' $$;

CREATE OR REPLACE FUNCTION bid_versions_deadline() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    d timestamptz;
    o timestamptz;
    t timestamptz := clock_timestamp();
    arrival timestamptz := coalesce(NEW.receipt_at, t);
BEGIN
    SELECT deadline, opened_at INTO d, o FROM calls WHERE id = NEW.call_id;
    IF arrival > t OR arrival < transaction_timestamp() - submission_queue_limit() THEN
        RAISE EXCEPTION 'Eingangszeit % liegt außerhalb der Verarbeitung (% bis %)', arrival,
            transaction_timestamp() - submission_queue_limit(), t USING ERRCODE = 'check_violation';
    END IF;
    IF d IS NULL OR arrival > d THEN
        RAISE EXCEPTION 'Frist abgelaufen: Eingang % nach der Frist %', arrival, d USING ERRCODE = 'KB001';
    END IF;
    IF o IS NOT NULL THEN
        RAISE EXCEPTION 'Frist abgelaufen: die Interessenbekundungen sind seit % geöffnet', o USING ERRCODE = 'KB001';
    END IF;
    IF NEW.receipt_at IS NULL THEN
        UPDATE bid_versions SET receipt_at = t WHERE bid_id = NEW.bid_id AND version = NEW.version;
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION bid_versions_deadline() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    d timestamptz;
    t timestamptz;
BEGIN
    SELECT deadline INTO d FROM calls WHERE id = NEW.call_id;
    t := clock_timestamp();
    IF d IS NULL OR t > d THEN
        RAISE EXCEPTION 'Frist abgelaufen: Eingang % nach der Frist %', t, d USING ERRCODE = 'KB001';
    END IF;
    UPDATE bid_versions SET receipt_at = t WHERE bid_id = NEW.bid_id AND version = NEW.version;
    RETURN NULL;
END;
$$;
DROP FUNCTION submission_queue_limit();
-- +goose StatementEnd
DROP INDEX bid_receipts_owed;
