package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"gorm.io/gorm"

	"kimibv/models/demo"
	"kimibv/models/postbox"
	"kimibv/models/store"
)

// TestOperatorPostausgangKeepsMailsAboutBidsSealed: a failed receipt mail belongs to no
// Kreis, so the Kreis never sees it; the operator sees that a sealed message failed —
// without recipient, subject or error text — and can send it again. Other mails without
// a Kreis are shown opened.
func TestOperatorPostausgangKeepsMailsAboutBidsSealed(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	db := ta.store.DB
	tenant := ta.count(`SELECT id FROM tenants WHERE slug = 'musterland'`)
	tid := tenant
	if err := store.InTx(context.Background(), db, func(tx *gorm.DB) error {
		if err := postbox.EnqueueMail(tx, postbox.Mail{TenantID: &tid, ToAddr: "versiegelt@traeger.example", Subject: "Eingangsbestätigung: Geheim-4711",
			Body: "Träger X", Kind: postbox.InboxReceipt}); err != nil {
			return err
		}
		return postbox.EnqueueMail(tx, postbox.Mail{ToAddr: "offen@kreis.example", Subject: "kimibv: Passwort zurücksetzen", Body: "Link", Kind: "password_reset"})
	}); err != nil {
		t.Fatal(err)
	}
	fail := func(ctx context.Context, m postbox.Mail) error { return fmt.Errorf("550 <%s> unknown", m.ToAddr) }
	db.Exec(`UPDATE outbox SET attempts = 7 WHERE sent_at IS NULL`)
	if _, err := postbox.SendOutbox(context.Background(), db, fail, 50); err != nil {
		t.Fatal(err)
	}
	receipt := ta.count(`SELECT id FROM outbox WHERE kind = ? AND failed_at IS NOT NULL AND tenant_id IS NULL`, postbox.InboxReceipt)
	if receipt == 0 {
		t.Fatal("the receipt mail did not fail without a Kreis")
	}
	admin := ta.client()
	admin.login("admin@musterland.example", demo.Password)
	if page := admin.get("/verwaltung/musterland/postausgang").wantStatus(t, 200); strings.Contains(page.Body, "Versiegelte Nachricht zu einer") {
		t.Fatal("the Kreis's Postausgang lists a mail about a bid")
	}
	admin.get("/betrieb/postausgang").wantStatus(t, 404)
	admin.post(fmt.Sprintf("/verwaltung/musterland/postausgang/%d/erneut", receipt), nil).wantStatus(t, 404)

	op := ta.client()
	op.login("betrieb@kimibv.example", demo.Password)
	page := op.get("/betrieb/postausgang").wantStatus(t, 200).wantContains(t, "Versiegelte Nachricht zu einer Interessenbekundung",
		"offen@kreis.example", "kimibv: Passwort zurücksetzen", "550 &lt;offen@kreis.example&gt; unknown")
	for _, leak := range []string{"versiegelt@traeger.example", "Geheim-4711", "Eingangsbestätigung:", "Träger X"} {
		if strings.Contains(page.Body, leak) {
			t.Fatalf("the operator's Postausgang shows %q of a sealed mail", leak)
		}
	}
	op.post(fmt.Sprintf("/betrieb/postausgang/%d/erneut", receipt), nil).wantStatus(t, 303)
	if ta.count(`SELECT count(*) FROM outbox WHERE id = ? AND failed_at IS NULL AND attempts = 0`, receipt) != 1 ||
		ta.count(`SELECT count(*) FROM audit_log WHERE chain = 'platform' AND action = 'outbox.retried'`) != 1 {
		t.Fatal("the operator's retry did not queue the mail again, audited on the platform chain")
	}
}
