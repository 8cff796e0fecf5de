// Package demo loads the demonstration — Kreis Musterland with its KIM call, provider
// organisations, a committee, a demo account for every role, and further procedures as
// a draft, with questions, an amendment and a cancellation, in scoring, consolidated and
// awarded — through the same use cases the application uses, so that every demo object
// has its audit trail. `kimibv demo`, scripts/run and the tests' demo template load it.
//
// Layer: above the domain. It imports the stage packages it drives (accounts, calls,
// bids, evaluation, decision) and core, rules, postbox and vault; the PDF renderer comes
// in as a decision.ProcedureDocuments (WithDocuments), so it does not import app.
//
// Rules of docs/rules.md: none of its own. Every step is recorded at the time the
// demonstration's documents state (timeline.go): the use cases run with a database clock
// shifted to that time (core.WithClockOffset), through which the bids' arrivals are still
// checked against their deadline at COMMIT (R3), so the backdated procedures need no
// real deadline to pass.
package demo
