package forwarding

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/core"
	"kimibv/models/rules"
	"kimibv/models/store"
)

// Post states (post_reports.state); a post never reported is "".
const (
	PostFilled = "filled"
	PostVacant = "vacant"
)

// Post is the current state of one post of a contract (rules.md R36): no names, only
// what the Kreis needs.
type Post struct {
	LotKey       string
	LotName      string
	No           int
	State        string
	FTE          decimal.Decimal
	StartDate    rules.Date
	Qualified    bool
	VacantSince  rules.Date
	PlannedStart rules.Date
	ReportedAt   *time.Time
	Flagged      bool // vacant longer than the Kreis's setting (set by the loaders that know it)
}

// StateLabel names the post's state.
func (p Post) StateLabel() string {
	switch p.State {
	case PostFilled:
		return "Besetzt"
	case PostVacant:
		return "Unbesetzt"
	}
	return "Noch nicht gemeldet"
}

// PostSlots is the number of posts of a lot of fte VZÄ: one per whole or begun VZÄ.
func PostSlots(fte decimal.Decimal) int { return int(fte.Ceil().IntPart()) }

// reportRow is one post_reports row.
type reportRow struct {
	ID           int64
	ContractID   int64
	LotKey       string
	PostNo       int
	State        string
	FTE          decimal.Decimal
	StartDate    *string
	Qualified    bool
	VacantSince  *string
	PlannedStart *string
	ReportedAt   time.Time
}

// loadPosts reads the reports of the contracts byID in one statement into each contract's
// Reports and the current state of each post slot into its Posts.
func loadPosts(tx *gorm.DB, byID map[int64]*Contract) error {
	var rows []reportRow
	if err := tx.Raw(`SELECT id, contract_id, lot_key, post_no, state, fte, to_char(start_date, 'YYYY-MM-DD') AS start_date, qualified,
		to_char(vacant_since, 'YYYY-MM-DD') AS vacant_since, to_char(planned_start, 'YYYY-MM-DD') AS planned_start, reported_at
		FROM post_reports WHERE contract_id IN ? ORDER BY id`, contractIDs(byID)).Scan(&rows).Error; err != nil {
		return fmt.Errorf("load post reports: %w", err)
	}
	per := map[int64][]reportRow{}
	for _, r := range rows {
		per[r.ContractID] = append(per[r.ContractID], r)
	}
	for id, k := range byID {
		setPosts(k, per[id])
	}
	return nil
}

// setPosts sets the contract's Reports from its report rows (in the order they were
// made) and the current state of each post slot in Posts.
func setPosts(k *Contract, rows []reportRow) {
	latest := map[string]reportRow{}
	k.Reports = nil
	for _, r := range rows {
		latest[r.LotKey+"/"+strconv.Itoa(r.PostNo)] = r
		eff := deref(r.StartDate)
		if r.State == PostVacant {
			eff = deref(r.VacantSince)
		}
		k.Reports = append(k.Reports, rules.PostReport{Lot: r.LotKey, Post: r.PostNo, Seq: r.ID, Effective: rules.Date(eff), FTE: r.FTE})
	}
	k.Posts = nil
	for _, l := range k.Terms.Lots {
		for n := 1; n <= PostSlots(l.FTE); n++ {
			p := Post{LotKey: l.Key, LotName: l.Name, No: n}
			if r, ok := latest[l.Key+"/"+strconv.Itoa(n)]; ok {
				at := r.ReportedAt
				p.State, p.FTE, p.Qualified, p.ReportedAt = r.State, r.FTE, r.Qualified, &at
				p.StartDate, p.VacantSince, p.PlannedStart = rules.Date(deref(r.StartDate)), rules.Date(deref(r.VacantSince)), rules.Date(deref(r.PlannedStart))
			}
			k.Posts = append(k.Posts, p)
		}
	}
}

// deref is *s or "".
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// PostInput is a provider's report of one post as typed.
type PostInput struct {
	Lot, No                          string
	State                            string
	FTE, Start, VacantSince, Planned string
	Qualified                        bool
}

// ReportPost records the state of one post of organisation scope.Org's contract
// (rules.md R36): filled with VZÄ (0,05 to 1,00), start date and the provider's
// confirmation of the qualification, or vacant since a date with an optional planned
// start. Members of the organisation only; audited as forwarding.post_reported.
func ReportPost(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.OrgCallScope, in PostInput, now time.Time) error {
	if !actor.InOrg(scope.Org) {
		return fmt.Errorf("contract of org %d: %w", scope.Org, core.ErrNotFound)
	}
	return store.InTx(ctx, db, func(tx *gorm.DB) error {
		k, err := lockContract(tx, scope)
		if err != nil {
			return err
		}
		p, err := checkPost(k, in)
		if err != nil {
			return err
		}
		var start, since, planned any
		if p.StartDate != "" {
			start = string(p.StartDate)
		}
		if p.VacantSince != "" {
			since = string(p.VacantSince)
		}
		if p.PlannedStart != "" {
			planned = string(p.PlannedStart)
		}
		if err := tx.Exec(`INSERT INTO post_reports (contract_id, lot_key, post_no, state, fte, start_date, qualified, vacant_since, planned_start, reported_by, reported_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, k.ID, p.LotKey, p.No, p.State, p.FTE, start, p.Qualified, since, planned, actor.UserID, now).Error; err != nil {
			return fmt.Errorf("store post report: %w", err)
		}
		details := map[string]any{"org_id": k.OrgID, "lot": p.LotKey, "post": p.No, "state": p.StateLabel()}
		if p.State == PostFilled {
			details["fte"], details["start"] = rules.FormatFTE(p.FTE), p.StartDate.German()
		} else {
			details["vacant_since"] = p.VacantSince.German()
		}
		_, err = audit.Audit(tx, audit.Event{Chain: audit.CallChain(k.CallID), ActorID: actor.UserID, TenantID: k.TenantID, Action: "forwarding.post_reported",
			ObjectType: "forwarding_contract", ObjectID: strconv.FormatInt(k.ID, 10), Details: details})
		return err
	})
}

// checkPost validates in against the contract's post slots. Pure.
func checkPost(k *Contract, in PostInput) (Post, error) {
	v := &core.ValidationError{}
	var p Post
	no, _ := strconv.Atoi(strings.TrimSpace(in.No))
	for _, s := range k.Posts {
		if s.LotKey == in.Lot && s.No == no {
			p = Post{LotKey: s.LotKey, LotName: s.LotName, No: no}
		}
	}
	if p.No == 0 {
		return p, fmt.Errorf("post %s/%s: %w", in.Lot, in.No, core.ErrNotFound)
	}
	p.State = in.State
	switch in.State {
	case PostFilled:
		f, msg := rules.ParseGermanDecimal(in.FTE, 2, false)
		switch {
		case msg != "":
			v.Add("fte", "invalid", msg)
		case f.LessThan(decimal.RequireFromString("0.05")) || f.GreaterThan(decimal.NewFromInt(1)):
			v.Add("fte", "range", "Eine Stelle hat 0,05 bis 1,00 VZÄ.")
		}
		p.FTE = f
		p.StartDate = dateField(v, "start", in.Start, "Bitte geben Sie das Datum des Dienstbeginns an.")
		if !in.Qualified {
			v.Add("qualified", "required", "Bitte bestätigen Sie, dass die Fachkraft die geforderte Qualifikation hat.")
		}
		p.Qualified = in.Qualified
	case PostVacant:
		p.FTE = decimal.Zero
		p.VacantSince = dateField(v, "vacant_since", in.VacantSince, "Bitte geben Sie an, seit wann die Stelle unbesetzt ist.")
		if strings.TrimSpace(in.Planned) != "" {
			p.PlannedStart = dateField(v, "planned", in.Planned, "")
		}
	default:
		v.Add("state", "required", "Bitte wählen Sie, ob die Stelle besetzt oder unbesetzt ist.")
	}
	return p, v.OrNil()
}

// dateField parses a date input; empty gives the required message (when set).
func dateField(v *core.ValidationError, field, s, required string) rules.Date {
	if strings.TrimSpace(s) == "" {
		if required != "" {
			v.Add(field, "required", required)
		}
		return ""
	}
	d, msg := rules.ParseDateInput(s)
	if msg != "" {
		v.Add(field, "invalid", msg)
	}
	return d
}
