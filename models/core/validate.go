package core

import (
	"fmt"
	"net/mail"
	"strings"
	"unicode/utf8"
)

// NormalizeEmail trims and lower-cases an e-mail address.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// CheckEmail validates an e-mail address for field and records a German message in v.
func CheckEmail(v *ValidationError, field, email string) {
	switch {
	case email == "":
		v.Add(field, "required", "Bitte geben Sie eine E-Mail-Adresse an.")
	case len(email) > 254 || !validEmail(email):
		v.Add(field, "invalid", "Bitte geben Sie eine gültige E-Mail-Adresse an, zum Beispiel name@beispiel.de.")
	}
}

func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && a.Name == "" && strings.Contains(s[strings.LastIndex(s, "@"):], ".")
}

// CheckText validates a required single-line text field of at most max characters.
func CheckText(v *ValidationError, field, label, value string, required bool, max int) {
	switch {
	case required && strings.TrimSpace(value) == "":
		v.Add(field, "required", fmt.Sprintf("Bitte geben Sie %s an.", label))
	case !utf8.ValidString(value) || strings.ContainsRune(value, 0):
		v.Add(field, "invalid", "Die Eingabe enthält ungültige Zeichen.")
	case utf8.RuneCountInString(value) > max:
		v.Add(field, "too_long", fmt.Sprintf("Die Eingabe darf höchstens %d Zeichen lang sein.", max))
	case hasBidiOverride(value):
		v.Add(field, "invalid", "Die Eingabe enthält unzulässige Steuerzeichen.")
	}
}

func hasBidiOverride(s string) bool {
	return strings.ContainsAny(s, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
}
