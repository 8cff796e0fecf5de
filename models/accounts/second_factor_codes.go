package accounts

import (
	"crypto/rand"
	"crypto/subtle"
	"net/url"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// totpOpts are the RFC 6238 parameters every authenticator app understands: six digits,
// SHA-1, a new code every 30 seconds.
var totpOpts = totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// totpIssuer names kimibv in the authenticator app.
const totpIssuer = "kimibv"

// RecoveryCodeCount is how many one-time recovery codes an enrolment issues.
const RecoveryCodeCount = 10

// recoveryAlphabet has no letters or digits that are easily confused (0/O, 1/I).
const recoveryAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// TOTPStep returns the RFC 6238 time step of t.
func TOTPStep(t time.Time) int64 { return t.Unix() / int64(totpOpts.Period) }

// TOTPCode returns the code of secret (base32) at t; the demonstration and the tests use it.
func TOTPCode(secret string, t time.Time) (string, error) {
	return totp.GenerateCodeCustom(secret, t, totpOpts)
}

// matchTOTP returns the time step whose code equals code: the step of now or one step
// either side (clocks drift), but only a step after lastStep, so that no code counts twice.
func matchTOTP(secret, code string, now time.Time, lastStep int64) (int64, bool) {
	cur := TOTPStep(now)
	for _, step := range []int64{cur - 1, cur, cur + 1} {
		if step <= lastStep {
			continue
		}
		want, err := TOTPCode(secret, time.Unix(step*int64(totpOpts.Period), 0))
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step, true
		}
	}
	return 0, false
}

// codeKind tells what a user typed into the code field.
type codeKind int

const (
	codeInvalid  codeKind = iota
	codeTOTP              // six digits
	codeRecovery          // a recovery code (three groups of four)
)

// normalizeCode removes spaces and hyphens, upper-cases letters and classifies the code.
func normalizeCode(s string) (string, codeKind) {
	s = strings.ToUpper(strings.NewReplacer(" ", "", "-", "", "\t", "").Replace(strings.TrimSpace(s)))
	switch {
	case len(s) == 6 && strings.Trim(s, "0123456789") == "":
		return s, codeTOTP
	case len(s) == 12 && strings.Trim(s, recoveryAlphabet) == "":
		return s, codeRecovery
	}
	return "", codeInvalid
}

// newRecoveryCode returns a random recovery code in display form (ABCD-EFGH-JKLM).
func newRecoveryCode() (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	out := make([]byte, 0, 14)
	for i, x := range b {
		if i == 4 || i == 8 {
			out = append(out, '-')
		}
		out = append(out, recoveryAlphabet[int(x)%len(recoveryAlphabet)])
	}
	return string(out), nil
}

// newTOTPKey generates a secret for account (the user's e-mail address).
func newTOTPKey(account string) (*otp.Key, error) {
	return totp.Generate(totp.GenerateOpts{Issuer: totpIssuer, AccountName: account, Period: totpOpts.Period,
		Digits: totpOpts.Digits, Algorithm: totpOpts.Algorithm})
}

// totpKey rebuilds the otpauth key of a stored secret for the QR code and the manual key.
func totpKey(account, secret string) (*otp.Key, error) {
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + totpIssuer + ":" + account,
		RawQuery: url.Values{"secret": {secret}, "issuer": {totpIssuer}, "period": {"30"}, "digits": {"6"}, "algorithm": {"SHA1"}}.Encode()}
	return otp.NewKeyFromURL(u.String())
}
