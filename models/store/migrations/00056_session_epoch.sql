-- +goose Up
-- Per-user session epoch: a password change or reset increments it; a session stores the
-- epoch it was created with and is ended when it no longer matches, so changing the
-- password logs out every other session of the user (sessions are gob-encoded by scs and
-- cannot be found by user id).
ALTER TABLE users ADD COLUMN session_epoch bigint NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE users DROP COLUMN session_epoch;
