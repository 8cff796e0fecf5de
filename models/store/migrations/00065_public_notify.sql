-- +goose Up
-- Every kimibv instance keeps the validators of the public pages (call list, call page,
-- award record) in memory and LISTENs on the channel kimibv_public for what changes them
-- (app/validators.go). The database tells, at COMMIT and only for committed changes:
--   'calls'      the call list's stamp row (public_stamps, migration 00057) moved;
--   'call:<id>'  a non-draft call's row changed, or the head of its procedure chain moved.
-- Only procedure chains ('call:…') notify, by a whitelist: the sealed bid trails ('bids:…')
-- and every other chain never do, so not even the timing of a notification can reveal that
-- a bid exists before the opening (docs/rules.md R2). NOTIFY folds equal payloads of one
-- transaction into one.

-- +goose StatementBegin
CREATE FUNCTION notify_public_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('kimibv_public', NEW.name);
	RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION notify_public_call() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		PERFORM pg_notify('kimibv_public', 'call:' || OLD.id::text);
	ELSE
		PERFORM pg_notify('kimibv_public', 'call:' || NEW.id::text);
	END IF;
	RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION notify_public_chain() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('kimibv_public', NEW.chain);
	RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER public_stamps_notify AFTER INSERT OR UPDATE ON public_stamps
	FOR EACH ROW EXECUTE FUNCTION notify_public_stamp();
CREATE TRIGGER calls_public_notify_upd AFTER UPDATE ON calls
	FOR EACH ROW WHEN ((OLD.state <> 'draft' OR NEW.state <> 'draft') AND OLD IS DISTINCT FROM NEW)
	EXECUTE FUNCTION notify_public_call();
CREATE TRIGGER calls_public_notify_del AFTER DELETE ON calls
	FOR EACH ROW WHEN (OLD.state <> 'draft') EXECUTE FUNCTION notify_public_call();
-- The whitelist: procedure chains only ('bids:…' never matches 'call:%').
CREATE TRIGGER audit_chains_public_notify AFTER INSERT OR UPDATE OF head_hash ON audit_chains
	FOR EACH ROW WHEN (NEW.chain LIKE 'call:%' AND NEW.head_seq > 0)
	EXECUTE FUNCTION notify_public_chain();

-- +goose Down
DROP TRIGGER audit_chains_public_notify ON audit_chains;
DROP TRIGGER calls_public_notify_del ON calls;
DROP TRIGGER calls_public_notify_upd ON calls;
DROP TRIGGER public_stamps_notify ON public_stamps;
DROP FUNCTION notify_public_chain();
DROP FUNCTION notify_public_call();
DROP FUNCTION notify_public_stamp();
