-- +goose Up
-- The Kreis's council information system (OParl 1.0/1.1, docs/rules.md R33): its system
-- address, kept by the Kreis administrator; kimibv fetches papers and agenda items only
-- from that host. The resolution fetched for a decided procedure is kept as read, with
-- the address it came from; a failed fetch stores nothing.
ALTER TABLE tenants ADD COLUMN oparl_system_url text NOT NULL DEFAULT '' CHECK (length(oparl_system_url) <= 500);

CREATE TABLE council_resolutions (
    call_id         bigint PRIMARY KEY REFERENCES calls,
    tenant_id       bigint NOT NULL REFERENCES tenants,
    oparl_url       text NOT NULL CHECK (length(oparl_url) BETWEEN 1 AND 500),
    paper_reference text NOT NULL DEFAULT '',
    paper_name      text NOT NULL DEFAULT '',
    paper_date      text NOT NULL DEFAULT '',
    meeting_name    text NOT NULL DEFAULT '',
    meeting_start   text NOT NULL DEFAULT '',
    agenda_number   text NOT NULL DEFAULT '',
    agenda_name     text NOT NULL DEFAULT '',
    result          text NOT NULL DEFAULT '',
    resolution_text text NOT NULL DEFAULT '',
    web_url         text NOT NULL DEFAULT '',
    fetched_by      bigint NOT NULL REFERENCES users,
    fetched_at      timestamptz NOT NULL
);

-- +goose Down
DROP TABLE council_resolutions;
ALTER TABLE tenants DROP COLUMN oparl_system_url;
