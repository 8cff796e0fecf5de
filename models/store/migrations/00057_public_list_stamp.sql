-- +goose Up
-- The public call list's cache validator in one row instead of a hash over every listed
-- column of every published call (which grew with the number of calls and made even a
-- 304 cost a scan). Any change of a listed column of a non-draft call, or of a Kreis's
-- slug or name, increments the counter. The triggers are deferred to COMMIT: the stamp
-- row is then the last lock a transaction takes, so writers cannot deadlock on it (the
-- closing job updating several calls and a request closing one of them), and its lock is
-- held through COMMIT, so the counter follows the commit order and no committed change
-- can hide behind an older value.
CREATE TABLE public_stamps (
	name       text PRIMARY KEY,
	version    bigint NOT NULL DEFAULT 0,
	changed_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO public_stamps (name, changed_at)
	SELECT 'calls', coalesce(max(updated_at), now()) FROM calls WHERE state <> 'draft';

-- +goose StatementBegin
CREATE FUNCTION bump_public_calls_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE public_stamps SET version = version + 1, changed_at = clock_timestamp() WHERE name = 'calls';
	RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE CONSTRAINT TRIGGER calls_public_stamp_ins AFTER INSERT ON calls DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW WHEN (NEW.state <> 'draft') EXECUTE FUNCTION bump_public_calls_stamp();
CREATE CONSTRAINT TRIGGER calls_public_stamp_upd AFTER UPDATE ON calls DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW WHEN ((OLD.state <> 'draft' OR NEW.state <> 'draft') AND
		(OLD.tenant_id, OLD.ref, OLD.state, OLD.current_version, OLD.title, OLD.deadline, OLD.published_at, OLD.updated_at)
		IS DISTINCT FROM
		(NEW.tenant_id, NEW.ref, NEW.state, NEW.current_version, NEW.title, NEW.deadline, NEW.published_at, NEW.updated_at))
	EXECUTE FUNCTION bump_public_calls_stamp();
CREATE CONSTRAINT TRIGGER calls_public_stamp_del AFTER DELETE ON calls DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW WHEN (OLD.state <> 'draft') EXECUTE FUNCTION bump_public_calls_stamp();
CREATE CONSTRAINT TRIGGER tenants_public_stamp_ins AFTER INSERT OR DELETE ON tenants DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION bump_public_calls_stamp();
CREATE CONSTRAINT TRIGGER tenants_public_stamp_upd AFTER UPDATE ON tenants DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW WHEN ((OLD.slug, OLD.name) IS DISTINCT FROM (NEW.slug, NEW.name))
	EXECUTE FUNCTION bump_public_calls_stamp();

-- +goose Down
DROP TRIGGER tenants_public_stamp_upd ON tenants;
DROP TRIGGER tenants_public_stamp_ins ON tenants;
DROP TRIGGER calls_public_stamp_del ON calls;
DROP TRIGGER calls_public_stamp_upd ON calls;
DROP TRIGGER calls_public_stamp_ins ON calls;
DROP FUNCTION bump_public_calls_stamp();
DROP TABLE public_stamps;
