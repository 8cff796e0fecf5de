package app_test

import (
	"fmt"
	"strings"
	"testing"

	"kimibv/app/pdfdoc"
	"kimibv/models/dbtest"
	"kimibv/models/demo"
)

// TestMitteilungArrivesAsALetterWithTheKreisSettings: the notice a provider downloads is a
// letter with the Kreis's return address, the provider's registered address, the call
// reference, the date, the signing office and the court of the Kreis's settings.
func TestMitteilungArrivesAsALetterWithTheKreisSettings(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	p := dbtest.SeedProcedure(t, ta.store.DB, dbtest.ProcedureSpec{Seq: 88, Bids: 2, Criteria: 2, Evaluators: 2,
		Docs: pdfdoc.New("http://kimibv.test/dokumentenpruefung")})
	// A member of the first (seeded) provider reads its notice.
	org := p.OrgIDs[0]
	db := ta.store.DB
	var uid int64
	db.Raw(`INSERT INTO users (email, name, password_hash) SELECT 'brief@traeger.example', 'Berta Brief', password_hash FROM users
		WHERE email = 'awo@traeger.example' RETURNING id`).Scan(&uid)
	db.Exec(`INSERT INTO organization_members (org_id, user_id, role) VALUES (?, ?, 'org_admin')`, org, uid)
	notice := ta.count(`SELECT id FROM notices WHERE call_id = ? AND org_id = ?`, p.CallID, org)
	if notice == 0 {
		t.Fatal("the provider got no notice")
	}
	var issued string
	ta.store.DB.Raw(`SELECT to_char(issued_at AT TIME ZONE 'Europe/Berlin', 'DD.MM.YYYY') FROM issued_documents d JOIN notices n ON n.document_id = d.id
		WHERE n.id = ?`, notice).Scan(&issued)
	member := ta.client()
	member.login("brief@traeger.example", demo.Password)
	res := member.get(fmt.Sprintf("/traeger/%d/mitteilungen/%d/mitteilung.pdf", org, notice)).wantStatus(t, 200)
	txt := strings.Join(strings.Fields(pdfText(t, res.Body)), " ")
	for _, want := range []string{
		"Kreis Musterland · Am Kreishaus 1 · 57000 Musterstadt", // return address
		p.OrgNames[0] + " Weg 1 12345 Musterstadt",              // address block from the registered address
		"Aktenzeichen", p.Ref, "Datum", issued, "Telefon", "02345 6789-0", "ki@musterland.example", // information block
		"Sehr geehrte Damen und Herren,", "Rechtsbehelfsbelehrung",
		"Zuständig ist das Verwaltungsgericht Düsseldorf, Bastionstraße 39, 40213 Düsseldorf.",
		"Mit freundlichen Grüßen Der Landrat – Amt für Integration", "Seite 1 von",
	} {
		if !strings.Contains(txt, want) {
			t.Errorf("Mitteilung lacks %q:\n%s", want, txt)
		}
	}
	if issued == "" {
		t.Error("no issue date")
	}
}
