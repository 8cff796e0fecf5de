-- +goose Up
-- The demonstration backdates its procedures (published weeks ago, awarded days ago) and
-- writes their trail with the times it states: its use cases run with a shifted database
-- clock (core.WithClockOffset). A bid's arrival is computed on that clock, so the COMMIT
-- check of rules.md R3 must read the same clock: the submitting transaction hands the
-- shift over as the transaction-local setting kimibv.clock_offset (seconds); so does the
-- withdrawal's check. Nothing but
-- the demonstration sets it; without it the check is the one of migration 00061.

-- +goose StatementBegin
CREATE FUNCTION kimibv_clock_offset() RETURNS interval LANGUAGE sql STABLE AS $$
    SELECT make_interval(secs => coalesce(nullif(current_setting('kimibv.clock_offset', true), '')::double precision, 0))
$$;

CREATE OR REPLACE FUNCTION bid_versions_deadline() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    d timestamptz;
    o timestamptz;
    shift interval := kimibv_clock_offset();
    t timestamptz := clock_timestamp() + shift;
    arrival timestamptz := coalesce(NEW.receipt_at, t);
BEGIN
    SELECT deadline, opened_at INTO d, o FROM calls WHERE id = NEW.call_id;
    IF arrival > t OR arrival < transaction_timestamp() + shift - submission_queue_limit() THEN
        RAISE EXCEPTION 'Eingangszeit % liegt außerhalb der Verarbeitung (% bis %)', arrival,
            transaction_timestamp() + shift - submission_queue_limit(), t USING ERRCODE = 'check_violation';
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

CREATE OR REPLACE FUNCTION bids_withdraw_deadline() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE d timestamptz;
BEGIN
    SELECT deadline INTO d FROM calls WHERE id = NEW.call_id;
    IF d IS NULL OR clock_timestamp() + kimibv_clock_offset() > d THEN
        RAISE EXCEPTION 'Frist abgelaufen: Rückzug nach der Frist %', d USING ERRCODE = 'KB001';
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

CREATE OR REPLACE FUNCTION bids_withdraw_deadline() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE d timestamptz;
BEGIN
    SELECT deadline INTO d FROM calls WHERE id = NEW.call_id;
    IF d IS NULL OR clock_timestamp() > d THEN
        RAISE EXCEPTION 'Frist abgelaufen: Rückzug nach der Frist %', d USING ERRCODE = 'KB001';
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
DROP FUNCTION kimibv_clock_offset();
