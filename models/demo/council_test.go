package demo_test

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"kimibv/models/accounts"
	"kimibv/models/core"
	"kimibv/models/council"
)

// checkCouncilInformation checks the council information of the demonstration's awarded
// procedure: two reports and one answered question, each received by all three members
// of two factions with one hash at one time; Karl Kreistag opened the first report.
func checkCouncilInformation(t *testing.T, db *gorm.DB) {
	ctx := context.Background()
	var ids struct{ CallID, TenantID, UserID int64 }
	db.Raw(`SELECT c.id AS call_id, c.tenant_id, u.id AS user_id FROM calls c, users u
		WHERE c.state = 'awarded' AND u.email = 'kreistag@musterland.example'`).Scan(&ids)
	member, err := accounts.LoadActor(ctx, db, ids.UserID)
	if err != nil {
		t.Fatal(err)
	}
	in, err := council.LoadInfo(ctx, db, member, core.CallScope{Tenant: ids.TenantID, Call: ids.CallID})
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Reports) != 2 || len(in.Answers) != 1 || in.Members != 3 || in.Factions != 2 {
		t.Fatalf("reports %d, answers %d, members %d, factions %d", len(in.Reports), len(in.Answers), in.Members, in.Factions)
	}
	if in.Answers[0].Faction() != "Fraktion Soziales Musterland" {
		t.Errorf("asking faction %q", in.Answers[0].Faction())
	}
	for _, d := range []council.Distribution{in.Reports[0].Dist, in.Reports[1].Dist, in.Answers[0].Dist} {
		if len(d.Receipts) != 3 || d.FactionCount() != 2 || len(d.ContentSHA256) != 64 {
			t.Errorf("distribution %d: %d receipts, %d factions", d.ID, len(d.Receipts), d.FactionCount())
		}
		for _, r := range d.Receipts {
			if !r.ReceivedAt.Equal(d.At) {
				t.Errorf("member %s received at %v, distributed at %v", r.Name, r.ReceivedAt, d.At)
			}
		}
	}
	if in.Reports[0].Dist.MyReadAt == nil || in.Reports[0].Dist.ReadCount() != 1 || in.Reports[1].Dist.ReadCount() != 0 {
		t.Error("Karl Kreistag opened the first report, nothing else is read")
	}
}
