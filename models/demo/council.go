package demo

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"kimibv/models/accounts"
	"kimibv/models/core"
	"kimibv/models/council"
	"kimibv/models/rules"
)

// councilMembers are further Kreistag members of Kreis Musterland besides Karl Kreistag,
// with the faction each belongs to ("" none).
var councilMembers = []struct{ email, name, faction string }{
	{"kreistag@musterland.example", "", "Fraktion Bürgerliste Musterland"},
	{"kreistag2@musterland.example", "Rita Rathaus", "Fraktion Soziales Musterland"},
	{"kreistag3@musterland.example", "Ferdinand Frei", ""},
}

// loadCouncilFactions gives the Kreistag of Musterland two factions and two more
// members: Karl Kreistag and Rita Rathaus in one faction each, Ferdinand Frei in none.
func loadCouncilFactions(ctx context.Context, db *gorm.DB, tenantID int64, now time.Time) error {
	admin, err := actorByEmail(ctx, db, "admin@musterland.example")
	if err != nil {
		return err
	}
	factions := map[string]int64{}
	for _, f := range []string{"Fraktion Bürgerliste Musterland", "Fraktion Soziales Musterland"} {
		if factions[f], err = council.CreateFaction(ctx, db, admin, tenantID, f, "fraktion", now); err != nil {
			return demoErr("faction", err)
		}
	}
	for _, m := range councilMembers {
		if m.name != "" {
			u, err := accounts.CreateUser(ctx, db, admin.UserID, accounts.NewUserInput{Email: m.email, Name: m.name, Password: Password}, false)
			if err != nil {
				return fmt.Errorf("demo council member %s: %w", m.email, err)
			}
			if err := accounts.SetTenantRoles(ctx, db, admin, tenantID, u.ID, []core.Role{core.RoleCouncil}); err != nil {
				return fmt.Errorf("demo council role %s: %w", m.email, err)
			}
		}
		if m.faction == "" {
			continue
		}
		member, err := actorByEmail(ctx, db, m.email)
		if err != nil {
			return err
		}
		if err := council.AssignFaction(ctx, db, admin, tenantID, member.UserID, factions[m.faction]); err != nil {
			return demoErr("faction member", err)
		}
	}
	return nil
}

// councilReportHours bounds the hours after the final award in which the demonstration's
// council information happens (five steps of at most an hour); the forwarding follows.
const councilReportHours = 6

// loadCouncilReports distributes, on the awarded procedure, a status report on the award,
// a faction's question with the lead's answer and a report on the reporting, in the hours
// after the award became final (rules.md R32, R33); Karl Kreistag opens the first report.
// It does nothing without an awarded procedure.
func loadCouncilReports(ctx context.Context, db *gorm.DB, opts []Option, tenantID int64) error {
	docs, ok := docsOf(opts).(council.Documents)
	if !ok {
		return fmt.Errorf("demo council: the document renderer cannot lay out a Sachstandsbericht")
	}
	var rows []struct {
		ID        int64
		AwardedAt time.Time
	}
	if err := db.WithContext(ctx).Raw(`SELECT c.id, d.awarded_at FROM calls c JOIN decisions d ON d.call_id = c.id
		WHERE c.tenant_id = ? AND c.state = 'awarded' ORDER BY c.id LIMIT 1`, tenantID).Scan(&rows).Error; err != nil {
		return fmt.Errorf("demo council: %w", err)
	}
	if len(rows) == 0 {
		return nil
	}
	members := map[string]*core.Actor{}
	for _, m := range councilMembers {
		a, err := actorByEmail(ctx, db, m.email)
		if err != nil {
			return err
		}
		members[m.email] = a
	}
	step := min(time.Hour, time.Since(rows[0].AwardedAt)/(councilReportHours+1))
	return demoCouncilReports(ctx, db, docs, core.CallScope{Tenant: tenantID, Call: rows[0].ID}, members, rows[0].AwardedAt, step)
}

// demoCouncilReports distributes the reports and the answered question of the demonstration.
func demoCouncilReports(ctx context.Context, db *gorm.DB, docs council.Documents, scope core.CallScope, members map[string]*core.Actor, awarded time.Time, step time.Duration) error {
	lead, err := actorByEmail(ctx, db, "leitung@musterland.example")
	if err != nil {
		return err
	}
	rctx, now := at(ctx, awarded.Add(step))
	first, err := council.PublishReport(rctx, db, lead, docs, council.ReportInput{TenantID: scope.Tenant, CallID: scope.Call, Stage: rules.StageAward,
		Title: "Die Vergabe ist endgültig",
		Body: "Die Stillhaltefrist ist abgelaufen; die einzige Rüge wurde beantwortet und zurückgewiesen. Die Stellen sind damit so vergeben, " +
			"wie es der Kreistag beschlossen hat. Die vollständige Vergabedokumentation steht im Bereich Kreistag bereit; den nichtöffentlichen " +
			"Anhang öffnen Sie nach Ihrer Erklärung zu Verbindungen mit den Trägern.\n\nDie ausgewählten Träger beginnen mit der Besetzung der Stellen; " +
			"über den Stand der Besetzung berichtet die Verwaltung im nächsten Sachstandsbericht."}, now)
	if err != nil {
		return demoErr("council report", err)
	}
	qctx, asked := at(ctx, awarded.Add(2*step))
	q, err := council.AskQuestion(qctx, db, members["kreistag2@musterland.example"], scope,
		"Wie stellt die Verwaltung sicher, dass die Stellen auch in den kleineren Gemeinden des Kreises erreichbar sind?", asked)
	if err != nil {
		return demoErr("council question", err)
	}
	actx, answered := at(ctx, awarded.Add(3*step))
	if err := council.AnswerQuestion(actx, db, lead, scope, q,
		"Die Bekanntmachung verpflichtet jeden ausgewählten Träger zu einer offenen Sprechstunde in jeder Gemeinde des Kreises, mindestens "+
			"einmal im Monat. Die Verwaltung prüft das im Verwendungsnachweis und berichtet dem Kreistag darüber.", answered); err != nil {
		return demoErr("council answer", err)
	}
	pctx, read := at(ctx, awarded.Add(4*step))
	var dist int64
	if err := db.WithContext(pctx).Raw(`SELECT id FROM council_distributions WHERE report_id = ?`, first).Scan(&dist).Error; err != nil {
		return fmt.Errorf("demo council distribution: %w", err)
	}
	if err := council.MarkRead(pctx, db, members["kreistag@musterland.example"], scope, dist, read); err != nil {
		return demoErr("council read", err)
	}
	sctx, now := at(ctx, awarded.Add(5*step))
	if _, err := council.PublishReport(sctx, db, lead, docs, council.ReportInput{TenantID: scope.Tenant, CallID: scope.Call, Stage: rules.StageReporting,
		Title: "Besetzung der Stellen",
		Body:  "Die ausgewählten Träger haben die Besetzung der Stellen begonnen. Die Verwaltung berichtet nach dem ersten Quartal über die Fallzahlen."}, now); err != nil {
		return demoErr("council report", err)
	}
	return nil
}
