-- +goose Up
-- Refused logins per client address, shared by every instance (rules.md R27): a client
-- address is kept only while its window runs (the login-throttle job deletes older rows).
CREATE TABLE login_failures (
    client   text PRIMARY KEY CHECK (length(client) BETWEEN 1 AND 100),
    failures integer NOT NULL CHECK (failures > 0),
    since    timestamptz NOT NULL
);

-- +goose Down
DROP TABLE login_failures;
