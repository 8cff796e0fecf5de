package browsertest

import (
	"strings"
	"testing"
	"time"

	"kimibv/models/accounts"
	"kimibv/models/demo"
)

// TestProviderEnrolsASecondFactorByTheManualKey: a provider's administrator starts the
// enrolment, sees the QR code and the manual key (photographed at 1280 and 390 px, axe
// audited), types the first code computed from the manual key and gets the ten recovery
// codes; the QR code image loads in the page.
func TestProviderEnrolsASecondFactorByTheManualKey(t *testing.T) {
	t.Parallel()
	tl, base, browser, pages, _ := startJourneys(t, "second factor")
	p := newJourney(t, browser, "Träger", base, tl.axeJS, pages)
	loginThroughForm(t, p.tab, base, "awo@traeger.example", demo.Password, time.Now)
	p.open("/konto/zweiter-faktor")
	p.submit(`main form[action="/konto/zweiter-faktor"] button[type=submit]`, 200)
	p.wantText("QR-Code scannen oder Schlüssel eingeben", "Ersten Code eingeben")
	if w := evalOn[int](p, `document.querySelector('main img').naturalWidth`); w < 200 {
		t.Fatalf("the QR code did not load (width %d)", w)
	}
	p.pictures("zweiter-faktor")
	key := strings.ReplaceAll(evalOn[string](p, `document.querySelector('.manual-key').textContent`), " ", "")
	code, err := accounts.TOTPCode(key, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	p.fill(map[string]string{"f-code": code})
	p.submit(`main form[action="/konto/zweiter-faktor/bestaetigen"] button[type=submit]`, 200)
	p.wantText("Ihr zweiter Faktor ist eingerichtet", "Wiederherstellungscodes")
	if n := evalOn[int](p, `document.querySelectorAll('.recovery-codes li').length`); n != 10 {
		t.Fatalf("%d recovery codes shown", n)
	}
	p.pictures("wiederherstellungscodes")
}
