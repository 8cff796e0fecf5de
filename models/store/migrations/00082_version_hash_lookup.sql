-- +goose Up
-- The public document check (/dokumentenpruefung) also accepts the Prüfwert the pages show
-- for a published call version and a submitted bid version (vault.DocumentByHash): one
-- index each, so that the lookup never scans.
CREATE INDEX call_versions_content_sha_idx ON call_versions (content_sha256);
CREATE INDEX bid_versions_content_sha_idx ON bid_versions (content_sha256);

-- +goose Down
DROP INDEX bid_versions_content_sha_idx;
DROP INDEX call_versions_content_sha_idx;
