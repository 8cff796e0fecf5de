package rules

import "testing"

func TestRepaymentIsPaidMinusUsedUpToTheGrant(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name              string
		paid, used, grant Cents
		want              Cents
	}{
		{"all used", 100_000_00, 100_000_00, 120_000_00, 0},
		{"more used than paid", 100_000_00, 110_000_00, 120_000_00, 0},
		{"less used", 100_000_00, 93_456_78, 120_000_00, 6_543_22},
		{"used above the grant counts only up to the grant", 100_000_00, 130_000_00, 90_000_00, 10_000_00},
		{"nothing used", 50_000_00, 0, 120_000_00, 50_000_00},
		{"nothing paid", 0, 1_00, 120_000_00, 0},
		{"one cent", 1, 0, 5, 1},
	} {
		if got := Repayment(c.paid, c.used, c.grant); got != c.want {
			t.Errorf("%s: Repayment(%d, %d, %d) = %d, want %d", c.name, c.paid, c.used, c.grant, got, c.want)
		}
	}
}

func TestCheckProofResultMatchesTheRepayment(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		result, reason string
		repayment      Cents
		field          string
	}{
		{ProofAccepted, "Belege vollständig", 0, ""},
		{ProofAccepted, "Belege vollständig", 5_00, "result"},
		{ProofRepayment, "Minderausgaben", 5_00, ""},
		{ProofRepayment, "Minderausgaben", 0, "result"},
		{ProofRejected, "Sachbericht fehlt", 0, ""},
		{ProofRejected, "", 0, "reason"},
		{"anders", "x", 0, "result"},
	} {
		if field, _ := CheckProofResult(c.result, c.reason, c.repayment); field != c.field {
			t.Errorf("CheckProofResult(%q, %q, %d) field %q, want %q", c.result, c.reason, c.repayment, field, c.field)
		}
	}
}

func TestParseProofCentsAllowsZeroButNotNegative(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in    string
		want  Cents
		valid bool
	}{
		{"0", 0, true}, {"1.234,56", 1_234_56, true}, {"12,5", 12_50, true},
		{"-1", 0, false}, {"abc", 0, false}, {"1,234", 0, false},
	} {
		got, msg := ParseProofCents(c.in)
		if (msg == "") != c.valid || got != c.want {
			t.Errorf("ParseProofCents(%q) = %d, %q", c.in, got, msg)
		}
	}
}
