// Package core holds what every domain package shares: the actor on whose behalf a use
// case runs, with its Kreis and organisation roles (Actor, Role); the sentinel errors and
// German refusals that the HTTP layer maps to answers in one place (ErrNotFound,
// ErrForbidden, ErrConflict, ErrSealed, ErrDeadlinePassed, ValidationError, Refusal); the
// checks of single text and e-mail fields; and the Europe/Berlin time formatting.
//
// Layer: the lowest. It imports no kimibv package.
//
// Rules of docs/rules.md:
//   - R9: ErrNotFound is the answer to whoever may not know that an object exists
//     (errors.go);
//   - R11: times are shown as Europe/Berlin wall time (Berlin, FormatDateTime in
//     timefmt.go);
//   - R26: the roles with their German names and the actor's permission predicates
//     (roles.go).
package core
