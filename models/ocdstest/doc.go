// Package ocdstest validates OCDS release packages in tests against the official OCDS
// 1.1.5 schema and codelists in ../shared/ocds/1.1.5 (next to the repository), without
// network access. Only test code imports it.
//
// Layer: a test helper. It imports no kimibv package.
//
// Rules of docs/rules.md: it is the schema check behind the open-data tests of R24.
package ocdstest
