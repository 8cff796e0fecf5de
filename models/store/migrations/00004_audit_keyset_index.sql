-- +goose Up
-- The audit list pages through a Kreis's entries by the key (created_at, chain, seq),
-- newest first; this index serves each page with a bounded range scan.
CREATE INDEX audit_log_tenant_keyset_idx ON audit_log (tenant_id, created_at DESC, chain DESC, seq DESC);
DROP INDEX audit_log_tenant_time_idx;

-- +goose Down
CREATE INDEX audit_log_tenant_time_idx ON audit_log (tenant_id, created_at DESC);
DROP INDEX audit_log_tenant_keyset_idx;
