package main

import "errors"

// refuseUnsafeInProduction refuses, when KIMIBV_ENV is production (also its default), the
// two ways to open an installation to anyone: `kimibv demo`, which creates a platform
// operator and further accounts with a published password, and `kimibv serve` with
// KIMIBV_BENCH=1, which serves the Go profiler without a login. run calls it before the
// database is opened, so a refused command writes nothing.
func refuseUnsafeInProduction(cfg config, command string) error {
	if cfg.Env != "production" {
		return nil
	}
	switch {
	case command == "demo":
		return errors.New("refused to load the demonstration: KIMIBV_ENV is production (the default when it is not set).\n" +
			"The demonstration creates a platform operator and further accounts whose password is published, " +
			"so anyone could log in and administer this installation.\n" +
			"Load it only into a database of its own with KIMIBV_ENV=development (scripts/run does so). " +
			"Create the first operator of a real installation with: kimibv user create --platform-admin --email … --name …")
	case command == "serve" && cfg.Bench:
		return errors.New("refused to start with KIMIBV_BENCH=1: KIMIBV_ENV is production (the default when it is not set).\n" +
			"KIMIBV_BENCH=1 serves the Go profiler under /bench/pprof without a login, " +
			"so anyone could read the server's internals and keep it busy.\n" +
			"Remove KIMIBV_BENCH from the production environment; benchmarks run with KIMIBV_ENV=development (scripts/bench does so).")
	}
	return nil
}
