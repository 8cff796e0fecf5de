// Package models is the domain of kimibv. It holds no code of its own: the domain lives in
// packages by stage of the procedure, and this package's tests drive a procedure across
// those stages against a real PostgreSQL database.
//
// The layers, lowest first; a package imports only packages on a lower line
// (TestPackagesImportOnlyLowerLayers checks it):
//
//	core        actor and roles, errors and refusals, validation, German time formatting
//	rules       pure rules: call and bid content, formal check, scoring, ranking, allocation,
//	            amendments, the call states, the decision proposal (no database)
//	store       opening the database, transactions, the embedded migrations
//	audit       the hash chains, the sealed bid trail, the action catalogue, the protocol query
//	vault       data keys and sealing, stored files, issued documents
//	postbox     outbox, its review, the Postfach, sealing of older rows
//	accounts    users, passwords, Kreise, organisations, invitations, memberships, role rules
//	sso         single sign-on of Kreis staff through the Kreis's OpenID provider
//	calls       calls and versions, questions, amendments, cancellation, the deadline close
//	consultation the Beteiligung on a draft call: statements, responses, the Abwägung
//	bids        bids and their files, receipts, the sealed reads, the wallet
//	evaluation  opening, formal check, committee and declarations, score sheets, consolidation
//	decision    decision, notices, objections, award, Vergabevermerk, council view,
//	            Vergabeakte, the public award record
//	council     factions, status reports, council questions and their distribution record
//	forwarding  after the award: Weiterleitungsvertrag, staffing of the posts, Mittelabrufe
//	opendata    the OCDS releases
//	workarea    what is due for each role (the work area), the procedure's stage
//
// Beside the layers, above all of them:
//
//	demo        the demonstration, loaded through the use cases (`kimibv demo`, tests)
//	dbtest      a fresh migrated database per test, the test vault, the demo template
//	fixture     values and checks the domain tests share
//	ocdstest    the check of OCDS packages against the official schema
//
// docs/rules.md states the procedure's rules (R1 …); each package's doc comment names the
// rules it enforces and where.
package models
