package browsertest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"kimibv/app/pdfdoc"
	"kimibv/models/core"
	"kimibv/models/dbtest"
	"kimibv/models/forwarding"
)

// TestProviderReplacesProofReceiptsInTheBrowser: on an awarded procedure whose provider
// submitted the first year's Verwendungsnachweis with a PDF, its administrator sends the
// replacement form without a file (the error names the field), then replaces the PDF; the
// page shows the current file and the replaced one, the lead's page says when it was
// replaced. Every page passes axe-core and is photographed at 1280 and 390 px without
// horizontal scrolling.
func TestProviderReplacesProofReceiptsInTheBrowser(t *testing.T) {
	t.Parallel()
	f := newFlow(t)
	ctx, db, now := context.Background(), f.store.DB, f.clock.Now()
	p := dbtest.SeedProcedure(t, db, dbtest.ProcedureSpec{Seq: 64, Bids: 2, Criteria: 2, Evaluators: 2, Final: true})
	u := dbtest.NewUser(t, db, 0, "belege@traeger.example", "Bea Belege")
	if err := db.Exec(`INSERT INTO organization_members (org_id, user_id, role) VALUES (?, ?, 'org_admin')`, p.OrgIDs[0], u.ID).Error; err != nil {
		t.Fatal(err)
	}
	lead, admin := f.actor("leitung@musterland.example"), f.actor("belege@traeger.example")
	own := core.OrgCallScope{Org: p.OrgIDs[0], Call: p.CallID}
	if _, err := forwarding.IssueContract(ctx, db, lead, pdfdoc.New("http://kimibv.test/dokumentenpruefung"), core.CallScope{Tenant: p.TenantID, Call: p.CallID}, own.Org, now); err != nil {
		t.Fatal(err)
	}
	if err := forwarding.AcceptContract(ctx, db, admin, own, "Bea Belege", now); err != nil {
		t.Fatal(err)
	}
	first := []byte("%PDF-1.4\n% Belege des ersten Förderjahres\ntrailer <<>>\n%%EOF\n")
	id, err := forwarding.SubmitProof(ctx, db, f.vault, admin, own, forwarding.ProofInput{Year: "1", Report: "Case Management für 42 Familien aufgebaut.",
		Personnel: map[string]string{"L1/1": "4.000,00"}, Other: "0", Received: "4.000,00", FileName: "Belege 2027.pdf", File: bytes.NewReader(first)})
	if err != nil {
		t.Fatal(err)
	}

	bea := f.as("traeger", "belege@traeger.example")
	bea.openOK(fmt.Sprintf("/traeger/%d/weiterleitung/%d", own.Org, own.Call))
	bea.wantText("Belege zum 1. Förderjahr", "Belege 2027.pdf", "Belege ersetzen")
	action := fmt.Sprintf("/nachweise/%d/belege", id)
	if s := bea.submit(action, ""); s != 422 {
		t.Fatalf("the form without a file answered %d, want 422", s)
	}
	bea.wantText("Bitte wählen Sie eine PDF-Datei aus.")
	councilPictures(bea, "nachweis-belege-fehler")
	file := filepath.Join(t.TempDir(), "Belege 2027 korrigiert.pdf")
	if err := os.WriteFile(file, []byte("%PDF-1.4\n% Belege, korrigiert\ntrailer <<>>\n%%EOF\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := run(bea.tab, chromedp.SetUploadFiles(chromedp.ID(fmt.Sprintf("f-belege_%d", id)), []string{file})); err != nil {
		t.Fatalf("choose the new PDF: %v", err)
	}
	bea.submitOK(action, "")
	bea.wantText("Belege 2027 korrigiert.pdf", "Ersetzte Dateien", "Belege 2027.pdf", "ersetzt am")
	councilPictures(bea, "nachweis-belege-ersetzt")

	lp := f.as("lead", "leitung@musterland.example")
	lp.openOK(fmt.Sprintf("/verwaltung/musterland/verfahren/%d/weiterleitung", p.CallID))
	lp.wantText("Belege 2027 korrigiert.pdf", "; ersetzt am", "Ersetzte Datei: Belege 2027.pdf")
	councilPictures(lp, "nachweis-belege-leitung")
}
