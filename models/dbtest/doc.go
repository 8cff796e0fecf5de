// Package dbtest gives tests a fresh, migrated PostgreSQL database of their own, the test
// vault, a database holding the demonstration, readers of the sealed outbox and Postfach,
// and SeedProcedure, which builds a decided procedure without the browser.
//
// KIMIBV_TEST_DATABASE_URL names a superuser connection to a throw-away cluster
// (scripts/test starts one). The first caller per process migrates a template
// database under an advisory lock; every test then gets a cheap clone of it.
//
// Layer: a test helper above the domain. It may import every models package and
// app/pdfdoc (for the demonstration's PDFs); only tests and test binaries import it.
//
// Rules of docs/rules.md: none of its own. It binds the test vault like the server does
// (R23), so tests read sealed rows the way the application does.
package dbtest
