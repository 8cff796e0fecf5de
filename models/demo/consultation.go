package demo

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"gorm.io/gorm"

	"kimibv/models/accounts"
	"kimibv/models/calls"
	"kimibv/models/consultation"
	"kimibv/models/core"
	"kimibv/models/decision"
	"kimibv/models/rules"
	"kimibv/models/vault"
)

// demoStatement is a statement of a demo organisation and the lead's response to it.
type demoStatement struct {
	email, section, body string
	day                  int // days before loading
	outcome, response    string
}

// consultationStatements are the statements of the Beteiligung's demo procedure.
func consultationStatements() []demoStatement {
	return []demoStatement{
		{"awo@traeger.example", "kriterium:k3", "Die Vernetzung mit den bestehenden Migrationsberatungen sollte stärker gewichtet werden; " +
			"sie entscheidet in der Praxis darüber, ob Doppelstrukturen entstehen.", 36, rules.OutcomeAdopted,
			"Die Gewichtung des Kriteriums K3 wird von 20 auf 25 Punkte angehoben; K6 sinkt dafür von 10 auf 5 Punkte, " +
				"weil das Berichtswesen ohnehin durch den Verwendungsnachweis geregelt ist."},
		{"caritas@traeger.example", "zeitplan", "Vier Wochen bis zur Abgabefrist sind für Verbände mit Gremienbeschlüssen knapp. " +
			"Wir regen sechs Wochen an.", 34, rules.OutcomePartly,
			"Die Frist wird auf fünf Wochen verlängert. Sechs Wochen sind nicht möglich, weil der Förderbeginn sonst nicht zu halten ist."},
		{"diakonie@traeger.example", "eignung", "Die geforderte Erfahrung von drei Jahren im Case-Management schließt neue, " +
			"fachlich geeignete Träger aus.", 33, rules.OutcomeRejected,
			"Die Erfahrung bleibt gefordert: Das Landesprogramm setzt erfahrene Fachkräfte voraus, und die Stellen beginnen ohne Einarbeitungszeit."},
	}
}

// loadConsultation gives Kreis Musterland a procedure that went through a Beteiligung:
// the draft put to four organisations forty days before loading for two weeks, three
// statements, the reasoned responses, the Abwägung, the draft changed accordingly
// (weights of K3 and K6) and the call published, 24 days before loading.
// With the vault (WithVault) the Caritas statement carries a PDF attachment.
func loadConsultation(ctx context.Context, db *gorm.DB, vlt *vault.Vault, tenantID int64, tl timeline, docs decision.ProcedureDocuments, base string) error {
	lead, com, err := demoCommittee(ctx, db, "leitung@musterland.example", musterlandCommittee())
	if err != nil {
		return err
	}
	scope := core.CallScope{Tenant: tenantID}
	octx, opened := at(ctx, tl.day(-40, 10, 0))
	call, err := calls.CreateDraft(octx, db, lead, tenantID, 0, opened)
	if err != nil {
		return fmt.Errorf("demo consultation draft: %w", err)
	}
	scope.Call = call.ID
	content, err := rules.DecodeCallContent(call.Draft)
	if err != nil {
		return err
	}
	content.FileRef = "KI 32-2026-03"
	content.Title = "Interessenbekundungsverfahren KIM-Case-Management (Baustein 2), Ausbau Los Nord – mit Beteiligung der Wohlfahrtsverbände"
	if err := calls.SaveDraft(octx, db, lead, scope, rules.DraftInputFrom(content, com), opened); err != nil {
		return demoErr("consultation draft save", err)
	}
	var orgs []int64
	for _, e := range []string{"awo@traeger.example", "caritas@traeger.example", "diakonie@traeger.example", "brueckenschlag@traeger.example"} {
		a, err := actorByEmail(ctx, db, e)
		if err != nil {
			return err
		}
		for id := range a.Orgs {
			orgs = append(orgs, id)
		}
	}
	const form = "2006-01-02T15:04"
	id, err := consultation.Open(octx, db, lead, scope, consultation.OpenInput{StartsAt: opened.Format(form),
		EndsAt: tl.day(-26, 12, 0).In(core.Berlin()).Format(form), Orgs: orgs}, docs, base, opened)
	if err != nil {
		return demoErr("consultation open", err)
	}
	stated := map[int64]demoStatement{}
	for _, s := range consultationStatements() {
		a, err := actorByEmail(ctx, db, s.email)
		if err != nil {
			return err
		}
		sctx, _ := at(ctx, tl.day(-s.day, 11, 15))
		for org := range a.Orgs {
			in := consultation.StatementInput{Section: s.section, Body: s.body}
			if vlt != nil && s.section == "zeitplan" {
				in.Attachment = &consultation.AttachmentInput{Vault: vlt, Name: "Gremienkalender Caritas 2026.pdf",
					File: bytes.NewReader(demoPDF("Gremienkalender 2026"))}
			}
			sid, err := consultation.Submit(sctx, db, a, consultation.OrgScope{Org: org, Consultation: id}, in)
			if err != nil {
				return demoErr("consultation statement", err)
			}
			stated[sid] = s
		}
	}
	rctx, _ := at(ctx, tl.day(-25, 10, 0))
	for _, sid := range sortedIDs(stated) {
		s := stated[sid]
		if err := consultation.Respond(rctx, db, lead, scope, sid, consultation.ResponseInput{Outcome: s.outcome, Reason: s.response}); err != nil {
			return demoErr("consultation response", err)
		}
	}
	wctx, weighed := at(ctx, tl.day(-25, 14, 0))
	if err := consultation.Weigh(wctx, db, lead, scope, docs, base, weighed); err != nil {
		return demoErr("consultation Abwägung", err)
	}
	// The draft as the Abwägung decided: K3 up, K6 down, five weeks to the deadline.
	pctx, published := at(ctx, tl.day(-24, 9, 0))
	var t accounts.Tenant
	if err := db.WithContext(ctx).Take(&t, tenantID).Error; err != nil {
		return fmt.Errorf("demo tenant: %w", err)
	}
	content.Timeline = calls.KIMTemplate(&t, published.AddDate(0, 0, 7)).Timeline
	for i := range content.Criteria {
		switch content.Criteria[i].Key {
		case "K3":
			content.Criteria[i].Weight = 25
		case "K6":
			content.Criteria[i].Weight = 5
		}
	}
	if err := calls.SaveDraft(pctx, db, lead, scope, rules.DraftInputFrom(content, com), published); err != nil {
		return demoErr("consultation draft after the Abwägung", err)
	}
	if _, err := calls.Publish(pctx, db, lead, scope, rules.DefaultCallRules(), published, docs); err != nil {
		return demoErr("consultation call publish", err)
	}
	return nil
}

// sortedIDs returns the keys of m in ascending order.
func sortedIDs(m map[int64]demoStatement) []int64 {
	out := make([]int64, 0, len(m))
	for id := range m {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}
