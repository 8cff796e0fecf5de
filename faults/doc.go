// Package faults holds the quick fault tests that scripts/test runs as ordinary Go tests
// against the real binaries (bin/kimibv serve, kimibv-gen, kimibv-rush built into a
// temporary directory) and the test PostgreSQL cluster: kill -9 of the server during a
// small deadline rush, and two instances on one database (migrations, sessions and the
// scheduled jobs close-calls, finalize-awards and outbox exactly once per due time).
// scripts/faults runs the long versions (500 submissions, PostgreSQL stopped, backup).
package faults
