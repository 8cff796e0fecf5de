package core

import (
	"errors"
	"sort"
	"strings"
)

// Sentinel errors returned by the use cases. Handlers map them to HTTP answers in one place.
var (
	// ErrNotFound means the object does not exist or the actor may not know that it exists.
	ErrNotFound = errors.New("nicht gefunden")
	// ErrForbidden means the actor knows the object but may not perform the action.
	ErrForbidden = errors.New("nicht berechtigt")
	// ErrConflict means the object changed state in the meantime (double submit, stale form).
	ErrConflict = errors.New("konflikt")
	// ErrSealed means bids are sealed until the two-person opening.
	ErrSealed = errors.New("versiegelt")
	// ErrDeadlinePassed means the deadline for the action has passed.
	ErrDeadlinePassed = errors.New("frist abgelaufen")
	// ErrLocked means an account is temporarily locked after repeated failures.
	ErrLocked = errors.New("gesperrt")
	// ErrOverloaded means the server could not process the request in the time the rules
	// allow; nothing was changed and the request may be sent again.
	ErrOverloaded = errors.New("überlastet")
	// ErrInvalidCredentials means e-mail address or password did not match.
	ErrInvalidCredentials = errors.New("ungültige anmeldedaten")
)

// FieldError is one validation failure: the form field, a stable code and a German message.
type FieldError struct {
	Field   string
	Code    string
	Message string
}

// ValidationError collects field errors of one input; it is returned as an error value.
type ValidationError struct {
	Fields []FieldError
}

// Error returns a German summary of all field messages.
func (v *ValidationError) Error() string {
	msgs := make([]string, 0, len(v.Fields))
	for _, f := range v.Fields {
		msgs = append(msgs, f.Field+": "+f.Message)
	}
	return "ungültige eingabe: " + strings.Join(msgs, "; ")
}

// Add records a failure for field with code and German message.
func (v *ValidationError) Add(field, code, message string) {
	v.Fields = append(v.Fields, FieldError{Field: field, Code: code, Message: message})
}

// Has reports whether field already has an error.
func (v *ValidationError) Has(field string) bool {
	for _, f := range v.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

// Codes returns the sorted "field:code" pairs, convenient for tests.
func (v *ValidationError) Codes() []string {
	out := make([]string, 0, len(v.Fields))
	for _, f := range v.Fields {
		out = append(out, f.Field+":"+f.Code)
	}
	sort.Strings(out)
	return out
}

// OrNil returns v as an error when it holds failures, otherwise nil.
func (v *ValidationError) OrNil() error {
	if v == nil || len(v.Fields) == 0 {
		return nil
	}
	return v
}

// AsValidation extracts a *ValidationError from err.
func AsValidation(err error) (*ValidationError, bool) {
	var v *ValidationError
	ok := errors.As(err, &v)
	return v, ok
}

// Refusal is a German explanation of why an action is not allowed right now (ErrForbidden
// when the actor may never do it, ErrConflict when the state forbids it), or why something
// the actor may see is not there (ErrNotFound).
type Refusal struct {
	Message string
	Kind    error // ErrForbidden, ErrConflict or ErrNotFound
}

// Error returns the German explanation.
func (r *Refusal) Error() string { return r.Message }

// Unwrap makes errors.Is(err, r.Kind) true.
func (r *Refusal) Unwrap() error { return r.Kind }

func Conflict(msg string) error { return &Refusal{Message: msg, Kind: ErrConflict} }

func Forbidden(msg string) error { return &Refusal{Message: msg, Kind: ErrForbidden} }

// Missing is ErrNotFound with a German explanation, for an actor entitled to the object
// that lacks what was asked for (e.g. a proof without a PDF); never for a foreign object.
func Missing(msg string) error { return &Refusal{Message: msg, Kind: ErrNotFound} }

// DeadlineError is a refusal because the deadline has passed (ErrDeadlinePassed) with a
// German explanation for the provider.
type DeadlineError struct{ Message string }

// Error returns the German explanation.
func (e *DeadlineError) Error() string { return e.Message }

// Unwrap makes errors.Is(err, ErrDeadlinePassed) true.
func (e *DeadlineError) Unwrap() error { return ErrDeadlinePassed }

// StateConflict is a conflict (ErrConflict) with a German explanation for the user,
// e.g. "amending a cancelled call".
type StateConflict struct{ Message string }

// Error returns the German explanation.
func (e *StateConflict) Error() string { return e.Message }

// Unwrap makes errors.Is(err, ErrConflict) true.
func (e *StateConflict) Unwrap() error { return ErrConflict }
