-- +goose Up
-- What a letter of the Kreis (Mitteilung, Eingangsbestätigung) states about its sender
-- besides the authority, the postal address and the e-mail address it already has: the
-- signing office under the closing ("Der Landrat – Amt für Integration"), a telephone
-- number for the information block, and the administrative court the
-- Rechtsbehelfsbelehrung names, with its address. The Kreis administrator maintains them
-- on the settings page; empty means "not given" (letters then leave the line out).
ALTER TABLE tenants
    ADD COLUMN signing_office text NOT NULL DEFAULT '',
    ADD COLUMN phone          text NOT NULL DEFAULT '',
    ADD COLUMN court          text NOT NULL DEFAULT '',
    ADD COLUMN court_address  text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE tenants
    DROP COLUMN court_address,
    DROP COLUMN court,
    DROP COLUMN phone,
    DROP COLUMN signing_office;
