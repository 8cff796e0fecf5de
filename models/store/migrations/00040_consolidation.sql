-- +goose Up
-- Consolidation and result (docs/rules.md R6, R7, R19). The lead sets one consolidated
-- score per admitted bid and criterion; where it differs from the evaluators' mean
-- (rules.MeanScore, rounded half-up to two decimals) a reason is mandatory. Closing the
-- consolidation stores the result computed by rules.ComputeResult; from then on neither
-- the consolidated scores nor the result can change (triggers below).

CREATE TABLE consolidated_scores (
    call_id        bigint NOT NULL REFERENCES calls,
    bid_id         bigint NOT NULL REFERENCES bids,
    criterion_key  text NOT NULL CHECK (criterion_key ~ '^[A-Za-z0-9_-]{1,40}$'),
    score          numeric(6,2) NOT NULL CHECK (score >= 0),
    mean           numeric(6,2) NOT NULL CHECK (mean >= 0),
    reason         text NOT NULL DEFAULT '',
    set_by         bigint NOT NULL REFERENCES users,
    set_at         timestamptz NOT NULL,
    PRIMARY KEY (bid_id, criterion_key),
    CHECK (score = mean OR reason <> '')
);
CREATE INDEX consolidated_scores_call_idx ON consolidated_scores (call_id);

-- One row per call whose consolidation is closed: the lots' allocation, the ties and the
-- lead's tie resolutions as JSON (decimals as strings).
CREATE TABLE call_results (
    call_id       bigint PRIMARY KEY REFERENCES calls,
    call_version  integer NOT NULL,
    closed_by     bigint NOT NULL REFERENCES users,
    closed_at     timestamptz NOT NULL,
    lots          jsonb NOT NULL,
    ties          jsonb NOT NULL,
    FOREIGN KEY (call_id, call_version) REFERENCES call_versions
);

-- One row per bid of a closed consolidation, in the result's order (position).
CREATE TABLE result_rows (
    call_id            bigint NOT NULL REFERENCES call_results,
    bid_id             bigint NOT NULL REFERENCES bids,
    position           integer NOT NULL CHECK (position > 0),
    rank               integer NOT NULL CHECK (rank >= 0),
    rank_by_decision   boolean NOT NULL,
    excluded           boolean NOT NULL,
    excluded_formally  boolean NOT NULL,
    total              numeric(7,2) NOT NULL,
    points             jsonb NOT NULL,
    reasons            jsonb NOT NULL,
    requested          jsonb NOT NULL,
    allocation         jsonb NOT NULL,
    PRIMARY KEY (call_id, bid_id),
    UNIQUE (call_id, position),
    CHECK (excluded = (rank = 0))
);

-- +goose StatementBegin
-- A closed consolidation is final: its scores and result never change. A correction needs
-- a documented correction procedure, not an edit; none exists yet.
CREATE FUNCTION consolidation_closed_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE cid bigint;
BEGIN
    IF TG_TABLE_NAME = 'consolidated_scores' THEN
        IF TG_OP = 'DELETE' THEN cid := OLD.call_id; ELSE cid := NEW.call_id; END IF;
        IF NOT EXISTS (SELECT 1 FROM call_results WHERE call_id = cid)
           AND (TG_OP <> 'UPDATE' OR OLD.call_id = NEW.call_id) THEN
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'die Konsolidierung ist abgeschlossen (% auf % verweigert)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER consolidated_scores_closed BEFORE INSERT OR UPDATE OR DELETE ON consolidated_scores
    FOR EACH ROW EXECUTE FUNCTION consolidation_closed_guard();
CREATE TRIGGER call_results_final BEFORE UPDATE OR DELETE ON call_results
    FOR EACH ROW EXECUTE FUNCTION consolidation_closed_guard();
CREATE TRIGGER result_rows_final BEFORE UPDATE OR DELETE ON result_rows
    FOR EACH ROW EXECUTE FUNCTION consolidation_closed_guard();

-- +goose Down
DROP TABLE result_rows;
DROP TABLE call_results;
DROP TABLE consolidated_scores;
DROP FUNCTION consolidation_closed_guard();
