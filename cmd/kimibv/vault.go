package main

import (
	"errors"
	"fmt"
	"log/slog"

	"kimibv/models/vault"
)

// openVault loads the master key from KIMIBV_MASTER_KEY_FILE. Production refuses to start
// without it; development creates the file on first start (scripts/run points it at
// .master-key in the project, which is git-ignored).
func openVault(cfg config, log *slog.Logger) (*vault.Vault, error) {
	path := cfg.MasterKeyFile
	if path == "" {
		if cfg.Env != "development" {
			return nil, errors.New("KIMIBV_MASTER_KEY_FILE is not set: kimibv does not start in production without the master key " +
				"that encrypts bid content at rest (create one with age-keygen, keep it outside the database and back it up)")
		}
		path = ".master-key"
	}
	if cfg.Env == "development" {
		created, err := vault.EnsureMasterKeyFile(path)
		if err != nil {
			return nil, err
		}
		if created {
			log.Warn("created a new development master key; back it up together with .pgdata", "file", path)
		}
	}
	v, err := vault.LoadVault(path)
	if err != nil {
		return nil, fmt.Errorf("KIMIBV_MASTER_KEY_FILE: %w", err)
	}
	log.Info("master key loaded", "recipient", v.Recipient())
	return v, nil
}
