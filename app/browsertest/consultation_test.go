package browsertest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"kimibv/app/pdfdoc"
	"kimibv/models/consultation"
	"kimibv/models/core"
)

// TestConsultationStatementAndResponse: an invited organisation states its view on a
// criterion of the draft in the browser, the lead answers it with a reason, and after the
// end the lead issues the Abwägung; every page passes the audit (axe, HTML, network).
func TestConsultationStatementAndResponse(t *testing.T) {
	t.Parallel()
	f := newFlow(t)
	draft := f.count(`SELECT c.id FROM calls c WHERE c.tenant_id = ? AND c.state = 'draft' ORDER BY c.id LIMIT 1`, f.tenant)
	base := fmt.Sprintf("/verwaltung/musterland/verfahren/%d", draft)
	now, local := f.clock.Now(), func(t time.Time) string { return t.In(core.Berlin()).Format("2006-01-02T15:04") }
	id, err := consultation.Open(context.Background(), f.store.DB, f.actor("leitung@musterland.example"), core.CallScope{Tenant: f.tenant, Call: draft},
		consultation.OpenInput{StartsAt: local(now.Add(-time.Hour)), EndsAt: local(now.Add(72 * time.Hour)), Orgs: []int64{f.orgs["awo"], f.orgs["caritas"]}},
		pdfdoc.New("http://kimibv.test/dokumentenpruefung"), "http://kimibv.test", now)
	if err != nil {
		t.Fatal(err)
	}
	page := fmt.Sprintf("/beteiligungen/%d", id)

	awo := f.fromWorkArea("awo", providerEmails["awo"], page, "Zum Entwurf Stellung nehmen")
	awo.fill(page+"/stellungnahmen", map[string]string{"section": "kriterium:k3", "body": "Die Vernetzung sollte mit 25 statt 20 Punkten gewichtet werden."})
	awo.submitOK(page+"/stellungnahmen", "")
	awo.wantText("Ihre Stellungnahme ist eingegangen", f.names["awo"], "Kriterium K3", "Noch ohne Antwort des Kreises")
	awo.pictures("beteiligung-traeger")

	lead := f.fromWorkArea("lead", "leitung@musterland.example", base+"/beteiligung", "Beteiligung läuft")
	st := f.count(`SELECT max(id) FROM consultation_statements WHERE consultation_id = ?`, id)
	action := fmt.Sprintf("%s/beteiligung/stellungnahmen/%d", base, st)
	lead.fill(action, map[string]string{"outcome": "partly", "reason": "siehe oben"})
	if s := lead.submit(action, ""); s != 422 {
		t.Fatalf("boilerplate reason answered %d", s)
	}
	lead.wantText("keine Begründung")
	lead.fill(action, map[string]string{"outcome": "partly", "reason": "K3 steigt auf 25 Punkte; K6 sinkt dafür auf 5 Punkte, weil das Berichtswesen im Verwendungsnachweis geregelt ist."})
	lead.submitOK(action, "")
	lead.pictures("beteiligung-leitung")

	f.store.DB.Exec(`UPDATE consultations SET ends_at = now() - interval '1 minute', starts_at = now() - interval '2 days' WHERE id = ?`, id)
	f.clock.Advance(time.Hour)
	lead.openOK(base + "/beteiligung")
	lead.submitOK(base+"/beteiligung/abwaegung", "")
	lead.wantText("Abwägung (PDF)")
	public := f.as("public", "")
	public.openOK(page)
	public.wantText("teilweise übernommen", "K3 steigt auf 25 Punkte", "Beteiligung beendet")
	public.pictures("beteiligung-oeffentlich")
	if dir := os.Getenv("KIMIBV_SCREENSHOT_DIR"); dir != "" {
		for _, doc := range []string{"abwaegung", "entwurf"} {
			if err := os.WriteFile(filepath.Join(dir, doc+".pdf"), public.download(page+"/"+doc+".pdf"), 0o644); err != nil {
				t.Error(err)
			}
		}
	}
}
