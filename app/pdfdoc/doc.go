// Package pdfdoc lays out kimibv's issued documents with the app/pdf toolkit. It sits
// outside package app so that the demonstration loader (cmd/kimibv, models/dbtest) can
// issue the same PDFs as the web application without importing the HTTP layer.
//
// Layer: above the domain and below app. It imports app/pdf and the models packages whose
// document data it renders (core, rules, vault, calls, bids, evaluation, decision).
//
// Rules of docs/rules.md: R8 — every renderer prints the document's Prüfwert and the
// chain head it is given and points to the public document check; what it shows is
// exactly the canonical data whose hash is the Prüfwert.
package pdfdoc
