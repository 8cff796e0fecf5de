package app_test

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"kimibv/models/accounts"
	"kimibv/models/core"
	"kimibv/models/dbtest"
	"kimibv/models/demo"
	"kimibv/models/forwarding"
	"kimibv/models/rules"
)

// seedSummaryProcedure carries a seeded procedure through the forwarding for the year
// summary: contracts for the first two providers; the first accepts, reports its post
// filled from the start (01.09.2026), is paid for December 2026 and January 2027 (a
// February draw-down is approved but unpaid) and its first Förderjahr's proof (used
// 9.500,00 € of 10.000,00 € paid) is accepted with 500,00 € to repay; the second has not
// accepted and submits nothing.
func seedSummaryProcedure(t *testing.T, ta *testApp, lead *client) dbtest.Procedure {
	t.Helper()
	p := dbtest.SeedProcedure(t, ta.store.DB, dbtest.ProcedureSpec{Seq: 63, Bids: 3, Criteria: 2, Evaluators: 2, Final: true})
	mine := p.OrgIDs[0]
	admin := forwardingUser(t, ta, "js-admin@traeger.example", mine, "org_admin")
	leadBase := fmt.Sprintf("/verwaltung/musterland/verfahren/%d/weiterleitung", p.CallID)
	orgBase := fmt.Sprintf("/traeger/%d/weiterleitung/%d", mine, p.CallID)
	for _, org := range p.OrgIDs[:2] {
		lead.postConfirmed(leadBase+fmt.Sprintf("/traeger/%d", org), nil).wantStatus(t, 303)
	}
	admin.postConfirmed(orgBase+"/annahme", url.Values{"name": {"Anna Admin"}}).wantStatus(t, 303)
	admin.post(orgBase+"/stellen", url.Values{"post": {"L1/1"}, "state": {"filled"}, "fte": {"1,00"}, "start": {"2026-09-01"}, "qualified": {"1"}}).wantStatus(t, 303)
	for _, d := range []struct {
		from, to, amount string
		paid             bool
	}{{"2026-12-01", "2026-12-31", "5.000,00", true}, {"2027-01-01", "2027-01-31", "5.000,00", true}, {"2027-02-01", "2027-02-28", "4.000,00", false}} {
		admin.post(orgBase+"/abrufe", url.Values{"period_from": {d.from}, "period_to": {d.to}, "amount": {d.amount}}).wantStatus(t, 303)
		id := ta.count(`SELECT max(d.id) FROM drawdowns d JOIN forwarding_contracts k ON k.id = d.contract_id WHERE k.call_id = ?`, p.CallID)
		lead.post(fmt.Sprintf("%s/abrufe/%d", leadBase, id), url.Values{"decision": {"approve"}}).wantStatus(t, 303)
		if d.paid {
			lead.post(fmt.Sprintf("%s/abrufe/%d/zahlung", leadBase, id), nil).wantStatus(t, 303)
		}
	}
	admin.upload(orgBase+"/nachweise", true, proofParts("9.000,00", "500,00", "10.000,00", nil)...).wantStatus(t, 303)
	proof := ta.count(`SELECT p.id FROM proofs p JOIN forwarding_contracts k ON k.id = p.contract_id WHERE k.call_id = ?`, p.CallID)
	lead.post(fmt.Sprintf("%s/nachweise/%d", leadBase, proof), url.Values{"result": {"rueckforderung"}, "reason": {"Minderausgaben."}}).wantStatus(t, 303)
	return p
}

// TestYearSummaryOfTheForwardingAsPageAndPDFAndSpreadsheet: the Kreis's lead and its
// administrator read the year summary across procedures and providers as a page, a PDF
// (A4 landscape, Kreis, year, creation time, page numbers, sums) and an XLSX workbook
// with numeric cells and SUM formulas; each row states grant, payments for the year,
// filled posts and the Verwendungsnachweis (accepted with repayment; overdue for the
// provider without one); the totals equal the domain's. Invalid years are a German 404;
// another Kreis's lead, a provider, an evaluator, the council and the public see nothing;
// no GET writes.
func TestYearSummaryOfTheForwardingAsPageAndPDFAndSpreadsheet(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	lead := ta.client()
	lead.login("leitung@musterland.example", demo.Password)
	p := seedSummaryProcedure(t, ta, lead)
	// The report on 2027 is made in March 2028: the first Förderjahr (to 31.08.2027) was
	// due at the start of 01.03.2028.
	ta.clock.Advance(time.Date(2028, 3, 15, 12, 0, 0, 0, core.Berlin()).Sub(ta.clock.Now()))
	lead.login("leitung@musterland.example", demo.Password)
	admin := ta.client()
	admin.login("admin@musterland.example", demo.Password)
	provider := forwardingUser(t, ta, "js-member@traeger.example", p.OrgIDs[0], "org_admin")
	const base = "/verwaltung/musterland/weiterleitung"
	writes := func() int64 { return ta.count(`SELECT count(*) FROM audit_log WHERE action NOT LIKE 'auth.%'`) }
	before := writes()

	home := lead.get("/verwaltung/musterland").wantStatus(t, 200)
	home.wantContains(t, `href="`+base+`"`)
	lead.get(base).wantStatus(t, 200).wantContains(t, "Jahresübersicht 2026", "Jahresübersicht 2027", "Jahresübersicht 2028",
		base+"/2027/jahresuebersicht.pdf", base+"/2027/jahresuebersicht.xlsx")

	page := lead.get(base+"/2027").wantStatus(t, 200)
	page.wantContains(t, "Jahresübersicht 2027", p.Ref, "Seed-Verfahren KIM-Case-Management", p.OrgNames[0], p.OrgNames[1], "Annahme ausstehend",
		"01.01.2027 – 31.12.2027", "62.000,00 €", "5.000,00 €", "VZÄ besetzt am 31.12.2027", `<caption id="summary-funds">`, `scope="row"`, `scope="col"`,
		"1. Förderjahr", "29.02.2028", "Anerkannt mit Rückforderung am", "9.500,00 €", "500,00 €", "10.000,00 €", "Überfällig, nicht eingegangen", "Summe",
		fmt.Sprintf(`href="/verwaltung/musterland/verfahren/%d/weiterleitung"`, p.CallID), `href="`+base+`">Jahresübersichten</a>`)
	admin.get(base+"/2027").wantStatus(t, 200).wantContains(t, p.OrgNames[0], "62.000,00 €").wantLacks(t, "/verwaltung/musterland/verfahren/")
	lead.get(base+"/2026").wantStatus(t, 200).wantContains(t, "01.09.2026 – 31.12.2026", "20.723,29 €", "Im Jahr 2026 endet kein Förderjahr")

	// The domain's totals, which every view must show.
	act, err := accounts.LoadActor(context.Background(), ta.store.DB, ta.userID("leitung@musterland.example"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := forwarding.YearSummary(context.Background(), ta.store.DB, act, p.TenantID, 2027, ta.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	page.wantContains(t, v.FundsTotal.Grant.German(), v.FundsTotal.Paid.German(), v.ProofTotal.Repayment.German())

	pdf := lead.get(base+"/2027/jahresuebersicht.pdf").wantStatus(t, 200)
	if ct := pdf.Header.Get("Content-Type"); ct != "application/pdf" || !strings.Contains(pdf.Header.Get("Content-Disposition"), "jahresuebersicht-musterland-2027.pdf") {
		t.Errorf("PDF headers: %s, %s", ct, pdf.Header.Get("Content-Disposition"))
	}
	txt := pdfText(t, pdf.Body)
	wantText(t, "year summary PDF", txt, "Jahresübersicht 2027: Weiterleitung der KIM-Mittel", "Kreis Musterland", "erstellt am 15.03.2028",
		"Seite 1 von", p.Ref, p.OrgNames[0], p.OrgNames[1], "62.000,00 €", "Anerkannt mit Rückforderung", "Überfällig, nicht eingegangen",
		"Summe", v.FundsTotal.Grant.German(), v.FundsTotal.Paid.German(), v.ProofTotal.Used.German(), "kein ausgestelltes Dokument")

	res := lead.get(base+"/2027/jahresuebersicht.xlsx").wantStatus(t, 200)
	checkSummaryXLSX(t, []byte(res.Body), p.Ref, v)

	// Invalid years: a German 404, nothing written.
	for _, y := range []string{"abc", "27", "99999", "2031", "2027x", "-2027"} {
		lead.get(base+"/"+y).wantStatus(t, 404).wantContains(t, "keine Jahresübersicht der Weiterleitung")
		lead.get(base+"/"+y+"/jahresuebersicht.pdf").wantStatus(t, 404)
	}
	// Another Kreis's lead (and administrator) finds nothing of Musterland, and its own
	// Kreis has no year; the other roles and the public are refused.
	other := ta.client()
	other.login("admin@beispielhausen.example", demo.Password)
	for _, path := range []string{base, base + "/2027", base + "/2027/jahresuebersicht.pdf", base + "/2027/jahresuebersicht.xlsx"} {
		other.get(path).wantStatus(t, 404).wantLacks(t, p.OrgNames[0], p.Ref)
	}
	other.get("/verwaltung/beispielhausen/weiterleitung").wantStatus(t, 200).wantContains(t, "noch keine Weiterleitungsverträge").wantLacks(t, p.OrgNames[0], p.Ref)
	other.get("/verwaltung/beispielhausen/weiterleitung/2027").wantStatus(t, 404)
	for _, email := range []string{"gremium2@musterland.example", "kreistag@musterland.example", "oeffnung1@musterland.example"} {
		c := ta.client()
		c.login(email, demo.Password)
		c.get(base+"/2027").wantStatus(t, 404).wantLacks(t, p.OrgNames[0])
		c.get(base+"/2027/jahresuebersicht.xlsx").wantStatus(t, 404)
	}
	provider.get(base).wantStatus(t, 404)
	provider.get(base+"/2027/jahresuebersicht.pdf").wantStatus(t, 404)
	ta.client().get(base+"/2027").wantStatus(t, 303)
	if after := writes(); after != before {
		t.Errorf("reading the summaries wrote %d audit entries", after-before)
	}
}

// checkSummaryXLSX opens the workbook: the seeded procedure's rows have numeric cells
// with the euro format, and each sum row computes the domain's totals.
func checkSummaryXLSX(t *testing.T, b []byte, ref string, v *forwarding.YearSummaryView) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 2 || got[0] != "Stellen und Mittel" || got[1] != "Verwendungsnachweise" {
		t.Fatalf("sheets %v", got)
	}
	// number reads a numeric cell as stored, or as computed (a formula) with calc.
	number := func(sheet, cell string, calc bool) float64 {
		t.Helper()
		read := f.GetCellValue
		if calc {
			read = f.CalcCellValue
		}
		s, err := read(sheet, cell, excelize.Options{RawCellValue: true})
		x, perr := strconv.ParseFloat(s, 64)
		if err != nil || perr != nil {
			t.Fatalf("%s!%s is %q, not a number (%v)", sheet, cell, s, err)
		}
		return x
	}
	num := func(sheet, cell string) float64 { return number(sheet, cell, false) }
	sum := func(sheet, cell string) float64 { return number(sheet, cell, true) }
	euros := func(c rules.Cents) float64 { x, _ := c.Decimal().Float64(); return x }
	rows, err := f.GetRows("Stellen und Mittel")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 4 || rows[3][0] != "Verfahren" || rows[3][11] != "Förderung 2027" {
		t.Fatalf("no header row: %v", rows[:min(4, len(rows))])
	}
	mine, total := 0, 0
	for i, r := range rows {
		switch {
		case len(r) > 0 && r[0] == ref && mine == 0:
			mine = i + 1
		case len(r) > 0 && r[0] == "Summe":
			total = i + 1
		}
	}
	if mine == 0 || total == 0 {
		t.Fatalf("rows of %s or the sums missing:\n%v", ref, rows)
	}
	if g, p := num("Stellen und Mittel", fmt.Sprintf("L%d", mine)), num("Stellen und Mittel", fmt.Sprintf("M%d", mine)); g != 62000 || p != 5000 {
		t.Errorf("first contract: grant %v, paid %v; want 62000 and 5000", g, p)
	}
	style, _ := f.GetCellStyle("Stellen und Mittel", fmt.Sprintf("L%d", mine))
	if st, err := f.GetStyle(style); err != nil || st.CustomNumFmt == nil || !strings.Contains(*st.CustomNumFmt, "€") {
		t.Errorf("grant cell is not formatted in euros: %+v %v", st, err)
	}
	if formula, _ := f.GetCellFormula("Stellen und Mittel", fmt.Sprintf("L%d", total)); !strings.HasPrefix(formula, "SUM(L5:") {
		t.Errorf("grant total is %q, want a SUM formula", formula)
	}
	for col, want := range map[string]float64{"L": euros(v.FundsTotal.Grant), "M": euros(v.FundsTotal.Paid)} {
		if got := sum("Stellen und Mittel", fmt.Sprintf("%s%d", col, total)); got != want {
			t.Errorf("sum of column %s: %v, want %v", col, got, want)
		}
	}
	if got, _ := v.FundsTotal.Awarded.Float64(); sum("Stellen und Mittel", fmt.Sprintf("H%d", total)) != got {
		t.Errorf("sum of awarded VZÄ: %v, want %v", sum("Stellen und Mittel", fmt.Sprintf("H%d", total)), got)
	}
	proofs, _ := f.GetRows("Verwendungsnachweise")
	ptotal := 0
	for i, r := range proofs {
		if len(r) > 0 && r[0] == "Summe" {
			ptotal = i + 1
		}
	}
	for col, want := range map[string]float64{"F": euros(v.ProofTotal.Grant), "G": euros(v.ProofTotal.Paid), "L": euros(v.ProofTotal.Used), "M": euros(v.ProofTotal.Repayment)} {
		if got := sum("Verwendungsnachweise", fmt.Sprintf("%s%d", col, ptotal)); got != want {
			t.Errorf("proofs: sum of column %s: %v, want %v", col, got, want)
		}
	}
	// Row 5: the accepted proof with its repayment; row 6: the overdue one, nothing used.
	if len(proofs) < 6 || proofs[4][0] != ref || proofs[4][9] != "Anerkannt mit Rückforderung" || num("Verwendungsnachweise", "M5") != 500 ||
		proofs[5][9] != "Überfällig, nicht eingegangen" || len(proofs[5]) > 11 {
		t.Errorf("proof sheet rows: %q", proofs)
	}
}
