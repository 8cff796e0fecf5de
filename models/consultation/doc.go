// Package consultation is the Beteiligung on a draft call (rules.md R31): the lead puts
// the draft, frozen with its own PDF, to the invited organisations for a period; they
// submit statements per section or criterion, attributed and public, and may revise them
// until the end (database clock); the lead answers every statement with a reasoned
// response and issues the Abwägung as a PDF. calls.Publish refuses the publication until
// then (rules.CheckConsultationDone).
//
// Layer: above calls. It imports core, rules, store, audit, vault, postbox, accounts and
// calls.
//
// Rules of docs/rules.md:
//   - R31: Open (open.go), Submit (statements.go), Respond and Weigh (responses.go),
//     RemindClosing (reminders.go); R9: every lead use case answers ErrNotFound outside
//     the lead's Kreis, every organisation use case outside the actor's organisations.
package consultation
