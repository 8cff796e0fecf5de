-- +goose Up
-- The navigation counts each logged-in member's unread Postfach messages on every page
-- and the work area lists them: a partial index lets the count read only the unread ones.
CREATE INDEX inbox_messages_unread_idx ON inbox_messages (org_id) WHERE read_at IS NULL;

-- +goose Down
DROP INDEX inbox_messages_unread_idx;
