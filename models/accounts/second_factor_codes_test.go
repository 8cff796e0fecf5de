package accounts

import (
	"testing"
	"time"
)

// TestMatchTOTPAcceptsOneStepEitherSideOnlyOnce: the code of the current step and of one
// step either side is accepted, two steps away not; no step at or before the last used
// one counts again; codes are normalised and classified.
func TestMatchTOTPAcceptsOneStepEitherSideOnlyOnce(t *testing.T) {
	const secret = "KIMIBVDEMOZWEITERFAKTOR2"
	now := time.Date(2026, 12, 3, 17, 0, 10, 0, time.UTC)
	cur := TOTPStep(now)
	codeAt := func(d time.Duration) string {
		c, err := TOTPCode(secret, now.Add(d))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	for _, tc := range []struct {
		name     string
		code     string
		lastStep int64
		want     int64 // 0: refused
	}{
		{"current step", codeAt(0), 0, cur},
		{"previous step (clock behind)", codeAt(-30 * time.Second), 0, cur - 1},
		{"next step (clock ahead)", codeAt(30 * time.Second), 0, cur + 1},
		{"two steps back", codeAt(-60 * time.Second), 0, 0},
		{"two steps ahead", codeAt(60 * time.Second), 0, 0},
		{"current step already used", codeAt(0), cur, 0},
		{"next step after the current was used", codeAt(30 * time.Second), cur, cur + 1},
		{"previous step after the current was used", codeAt(-30 * time.Second), cur, 0},
		{"wrong digits", "000000", 0, 0},
	} {
		step, ok := matchTOTP(secret, tc.code, now, tc.lastStep)
		if (tc.want != 0) != ok || (ok && step != tc.want) {
			t.Errorf("%s: got step %d ok %v, want %d", tc.name, step, ok, tc.want)
		}
	}
	for in, want := range map[string]codeKind{"123 456": codeTOTP, " 123456 ": codeTOTP, "abcd-efgh-jkmn": codeRecovery,
		"ABCD EFGH JKMN": codeRecovery, "12345": codeInvalid, "ABCD-EFGH-JKM0": codeInvalid, "12345a": codeInvalid, "Null\x00Byte": codeInvalid} {
		if _, got := normalizeCode(in); got != want {
			t.Errorf("normalizeCode(%q) = %v, want %v", in, got, want)
		}
	}
	c, err := newRecoveryCode()
	if _, kind := normalizeCode(c); err != nil || kind != codeRecovery || len(c) != 14 {
		t.Errorf("new recovery code %q (%v) is not one", c, err)
	}
}
