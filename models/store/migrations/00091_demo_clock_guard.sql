-- +goose Up
-- The shifted clock of the demonstration (00073) is honoured only in a database that its
-- owner has marked as a demonstration database (ALTER DATABASE … SET kimibv.demonstration
-- = 'on', which demo.Load does and `kimibv demo` refuses in production). In every other
-- database kimibv.clock_offset is ignored, so no setting a session can make moves the
-- deadline checks of rules.md R3: a backdated arrival there fails the check instead.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION kimibv_clock_offset() RETURNS interval LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN EXISTS (
            SELECT 1 FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase
            WHERE d.datname = current_database() AND s.setrole = 0
              AND 'kimibv.demonstration=on' = ANY (s.setconfig))
        THEN make_interval(secs => coalesce(nullif(current_setting('kimibv.clock_offset', true), '')::double precision, 0))
        ELSE interval '0' END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION kimibv_clock_offset() RETURNS interval LANGUAGE sql STABLE AS $$
    SELECT make_interval(secs => coalesce(nullif(current_setting('kimibv.clock_offset', true), '')::double precision, 0))
$$;
-- +goose StatementEnd
