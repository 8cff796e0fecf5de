-- +goose Up
-- Outbox crash safety. The claim (sending_at, attempts + 1) is committed before
-- the SMTP conversation starts. A claim that is never resolved (the sender died between
-- handing the mail to the SMTP server and recording it) is not sent again automatically:
-- nobody can know whether the server accepted it. postbox.SendOutbox marks it
-- uncertain_at ("needs review"); the Kreis administrator sees it on the Postausgang page
-- and decides to send it again (RetryMail) or not.
ALTER TABLE outbox ADD COLUMN uncertain_at timestamptz;
ALTER TABLE outbox ADD COLUMN retried_by bigint REFERENCES users;
DROP INDEX outbox_pending_idx;
CREATE INDEX outbox_pending_idx ON outbox (next_try_at)
    WHERE sent_at IS NULL AND failed_at IS NULL AND uncertain_at IS NULL;
CREATE INDEX outbox_problem_idx ON outbox (tenant_id, id DESC)
    WHERE sent_at IS NULL AND (failed_at IS NOT NULL OR uncertain_at IS NOT NULL);

-- +goose Down
DROP INDEX outbox_problem_idx;
DROP INDEX outbox_pending_idx;
CREATE INDEX outbox_pending_idx ON outbox (next_try_at) WHERE sent_at IS NULL AND failed_at IS NULL;
ALTER TABLE outbox DROP COLUMN retried_by;
ALTER TABLE outbox DROP COLUMN uncertain_at;
