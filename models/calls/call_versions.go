package calls

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"kimibv/models/core"
	"kimibv/models/postbox"
	"kimibv/models/rules"
)

// VersionEntry describes one published version without its content.
type VersionEntry struct {
	Version       int
	Reason        string
	Material      bool
	Deadline      time.Time
	ContentSHA256 string `gorm:"column:content_sha256"`
	PublishedAt   time.Time
}

// CallVersionList lists a call's published versions, first to last (one query).
func CallVersionList(ctx context.Context, db *gorm.DB, callID int64) ([]VersionEntry, error) {
	var out []VersionEntry
	if err := db.WithContext(ctx).Raw(`SELECT version, reason, material, deadline, content_sha256, published_at
		FROM call_versions WHERE call_id = ? ORDER BY version`, callID).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("load versions: %w", err)
	}
	return out, nil
}

// VersionDiff is the comparison of two published versions of a call.
type VersionDiff struct {
	From, To VersionEntry
	Changes  []rules.Change
}

// DiffCallVersions compares versions a and b (a < b) of a published call (one query);
// an unknown version is ErrNotFound.
func DiffCallVersions(ctx context.Context, db *gorm.DB, callID int64, a, b int) (*VersionDiff, error) {
	if a <= 0 || b <= 0 || a >= b {
		return nil, fmt.Errorf("versions %d and %d: %w", a, b, core.ErrNotFound)
	}
	var rows []struct {
		VersionEntry
		Content []byte
	}
	if err := db.WithContext(ctx).Raw(`SELECT version, reason, material, deadline, content_sha256, published_at, content
		FROM call_versions WHERE call_id = ? AND version IN (?, ?) ORDER BY version`, callID, a, b).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("load versions %d and %d: %w", a, b, err)
	}
	if len(rows) != 2 {
		return nil, fmt.Errorf("versions %d and %d of call %d: %w", a, b, callID, core.ErrNotFound)
	}
	ca, err := rules.DecodeCallContent(rows[0].Content)
	if err != nil {
		return nil, err
	}
	cb, err := rules.DecodeCallContent(rows[1].Content)
	if err != nil {
		return nil, err
	}
	return &VersionDiff{From: rows[0].VersionEntry, To: rows[1].VersionEntry, Changes: rules.DiffVersions(ca, cb)}, nil
}

// CallExtras is what the public call page shows besides the content: questions and
// answers, the version history and the cancellation, and for a logged-in provider user
// their organisations' own questions and which of them follow the call.
type CallExtras struct {
	Call      *CallHeader
	QA        []PublicQA
	Versions  []VersionEntry
	Own       []AskedQuestion
	Following map[int64]bool
	Orgs      []OrgChoice // the actor's organisations (for ask and follow forms)
	CanAsk    bool
}

// OrgChoice is one of the actor's organisations.
type OrgChoice struct {
	ID   int64
	Name string
}

// LoadCallExtras loads CallExtras for a published call with a constant number of queries
// (at most five, whatever the number of questions, answers, versions or organisations).
func LoadCallExtras(ctx context.Context, db *gorm.DB, actor *core.Actor, h *CallHeader, now time.Time) (*CallExtras, error) {
	x := &CallExtras{Call: h, Following: map[int64]bool{}}
	var err error
	if x.QA, err = PublicQAs(ctx, db, h.ID); err != nil {
		return nil, err
	}
	if x.Versions, err = CallVersionList(ctx, db, h.ID); err != nil {
		return nil, err
	}
	if actor == nil || len(actor.Orgs) == 0 {
		return x, nil
	}
	if err := db.WithContext(ctx).Raw(`SELECT id, name FROM organizations WHERE id IN ? ORDER BY name COLLATE german, id`, postbox.ActorOrgIDs(actor)).
		Scan(&x.Orgs).Error; err != nil {
		return nil, fmt.Errorf("load organisations: %w", err)
	}
	if x.Own, err = OwnQuestions(ctx, db, actor, h.ID); err != nil {
		return nil, err
	}
	if x.Following, err = postbox.FollowingOrgs(ctx, db, actor, h.ID); err != nil {
		return nil, err
	}
	x.CanAsk = h.QuestionsOpen(now)
	return x, nil
}

// Amendments returns the versions after the first (the amendments), newest first.
func (x *CallExtras) Amendments() []VersionEntry {
	var out []VersionEntry
	for i := len(x.Versions) - 1; i >= 1; i-- {
		out = append(out, x.Versions[i])
	}
	return out
}

// FollowsAny reports whether any of the actor's organisations follows the call.
func (x *CallExtras) FollowsAny() bool {
	for _, f := range x.Following {
		if f {
			return true
		}
	}
	return false
}

// NotFollowing lists the actor's organisations that do not follow the call yet.
func (x *CallExtras) NotFollowing() []OrgChoice {
	var out []OrgChoice
	for _, o := range x.Orgs {
		if !x.Following[o.ID] {
			out = append(out, o)
		}
	}
	return out
}

// FollowingChoices lists the actor's organisations that follow the call.
func (x *CallExtras) FollowingChoices() []OrgChoice {
	var out []OrgChoice
	for _, o := range x.Orgs {
		if x.Following[o.ID] {
			out = append(out, o)
		}
	}
	return out
}
