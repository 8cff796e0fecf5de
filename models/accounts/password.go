package accounts

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"

	"kimibv/models/core"
)

// Password policy limits.
const (
	PasswordMinLength = 12
	PasswordMaxLength = 256
)

// commonPasswords are refused outright (the most used passwords of German users, lower case).
var commonPasswords = map[string]bool{
	"123456789012": true, "passwort1234": true, "password1234": true, "hallohallo12": true,
	"qwertzuiopü1": true, "qwertzuiop12": true, "123456789abc": true, "passwort123!": true,
	"sommer202020": true, "willkommen12": true, "abcdefghijkl": true, "000000000000": true,
}

// CheckPassword applies the password policy and returns a German message per violation
// (field "password"). email and name must not be the password or contained in it.
func CheckPassword(password, email, name string) *core.ValidationError {
	v := &core.ValidationError{}
	n := utf8.RuneCountInString(password)
	lower := strings.ToLower(password)
	local, _, _ := strings.Cut(strings.ToLower(email), "@")
	switch {
	case !utf8.ValidString(password):
		v.Add("password", "invalid", "Das Passwort enthält ungültige Zeichen.")
	case n < PasswordMinLength:
		v.Add("password", "too_short", fmt.Sprintf("Das Passwort muss mindestens %d Zeichen lang sein.", PasswordMinLength))
	case n > PasswordMaxLength:
		v.Add("password", "too_long", fmt.Sprintf("Das Passwort darf höchstens %d Zeichen lang sein.", PasswordMaxLength))
	case commonPasswords[lower] || singleRune(password):
		v.Add("password", "common", "Dieses Passwort ist zu leicht zu erraten. Bitte wählen Sie ein anderes.")
	case len(local) >= 3 && strings.Contains(lower, local),
		len(name) >= 3 && strings.Contains(lower, strings.ToLower(strings.TrimSpace(name))):
		v.Add("password", "personal", "Das Passwort darf weder Ihren Namen noch Ihre E-Mail-Adresse enthalten.")
	}
	for _, r := range password {
		if unicode.IsControl(r) {
			v.Add("password", "control", "Das Passwort darf keine Steuerzeichen enthalten.")
			break
		}
	}
	return v
}

// CheckPasswordConfirm records a German message for field when confirm does not repeat password.
func CheckPasswordConfirm(v *core.ValidationError, field, password, confirm string) {
	switch {
	case confirm == "":
		v.Add(field, "required", "Bitte wiederholen Sie das Passwort.")
	case confirm != password:
		v.Add(field, "mismatch", "Die beiden Passwörter stimmen nicht überein. Bitte geben Sie das Passwort zweimal gleich ein.")
	}
}

func singleRune(s string) bool {
	first, _ := utf8.DecodeRuneInString(s)
	return strings.Trim(s, string(first)) == ""
}

// argonParams are the argon2id parameters (RFC 9106 second recommendation, 64 MiB).
var argonParams = &argon2id.Params{Memory: 64 * 1024, Iterations: 3, Parallelism: 2, SaltLength: 16, KeyLength: 32}

// HashPassword returns the argon2id hash of password in PHC string format.
func HashPassword(password string) (string, error) {
	h, err := argon2id.CreateHash(password, argonParams)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return h, nil
}

// dummyHash is compared against when a login names an unknown user, so that timing
// does not reveal which e-mail addresses have accounts.
const dummyHash = "$argon2id$v=19$m=65536,t=3,p=2$6fUnIW+ecaanxKTJanNGGQ$EWZO7eekRpeaG2xq9K9h1vuj6/EnwUCv5SlFuITg3Jw"

// PasswordMatches reports whether password matches the argon2id hash.
func PasswordMatches(password, hash string) bool {
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	return err == nil && ok
}

// Lock-out policy: after LockoutThreshold consecutive failures the account is locked,
// first for one minute, doubling with every further failure, at most one hour.
const (
	LockoutThreshold = 5
	lockoutMax       = time.Hour
)

// LockoutUntil returns when an account with failures consecutive failed logins may try
// again, or the zero time when it is not locked.
func LockoutUntil(failures int, now time.Time) time.Time {
	if failures < LockoutThreshold {
		return time.Time{}
	}
	d := time.Minute
	for i := LockoutThreshold; i < failures && d < lockoutMax; i++ {
		d *= 2
	}
	if d > lockoutMax {
		d = lockoutMax
	}
	return now.Add(d)
}
