package rules

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// Results of the lead's check of a Verwendungsnachweis (proofs.result, rules.md R38).
const (
	ProofAccepted  = "anerkannt"
	ProofRepayment = "rueckforderung"
	ProofRejected  = "nicht_anerkannt"
)

// ProofResultLabel names a check result in German ("" for none yet).
func ProofResultLabel(result string) string {
	switch result {
	case ProofAccepted:
		return "Anerkannt"
	case ProofRepayment:
		return "Anerkannt mit Rückforderung"
	case ProofRejected:
		return "Nicht anerkannt"
	}
	return ""
}

// ParseProofCents reads a German euro amount of the numerical proof ("1.234,56", "0") as
// cents: zero is allowed, negative amounts are not; the message is German.
func ParseProofCents(s string) (Cents, string) {
	d, msg := ParseGermanDecimal(s, 2, false)
	if msg != "" {
		return 0, msg
	}
	if d.IsNegative() {
		return 0, "Bitte geben Sie keinen negativen Betrag ein."
	}
	if d.GreaterThan(decimal.NewFromInt(100_000_000)) {
		return 0, "Der Betrag ist zu hoch."
	}
	return CentsOf(d), ""
}

// Repayment is the amount to be repaid after the check of a Förderjahr's Verwendungsnachweis
// (rules.md R38): what was paid out for the year minus what was used, where only expenses up
// to the year's grant count; never negative. All amounts are integer cents, so there is no
// rounding.
func Repayment(paid, used, grant Cents) Cents {
	counted := used
	if counted > grant {
		counted = grant
	}
	if paid <= counted {
		return 0
	}
	return paid - counted
}

// CheckProofResult validates the lead's result against the computed repayment: a plain
// acceptance needs nothing to repay, an acceptance with repayment needs something to repay,
// and every result needs a reason. The message is German ("" when the result fits).
func CheckProofResult(result, reason string, repayment Cents) (field, msg string) {
	switch {
	case ProofResultLabel(result) == "":
		return "result", "Bitte wählen Sie ein Ergebnis der Prüfung."
	case result == ProofAccepted && repayment > 0:
		return "result", fmt.Sprintf("Es wurden %s weniger verwendet als ausgezahlt; bitte wählen Sie „Anerkannt mit Rückforderung“.", repayment.German())
	case result == ProofRepayment && repayment == 0:
		return "result", "Es ist nichts zurückzufordern; bitte wählen Sie „Anerkannt“."
	case reason == "":
		return "reason", "Bitte begründen Sie das Ergebnis der Prüfung."
	case len([]rune(reason)) > 4000:
		return "reason", "Die Begründung ist zu lang (höchstens 4.000 Zeichen)."
	}
	return "", ""
}
