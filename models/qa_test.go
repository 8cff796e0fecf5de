package models_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/dbtest"
	"kimibv/models/postbox"
	"kimibv/models/rules"
	"kimibv/models/store"
)

func TestAskQuestionUntilTheQuestionDeadline(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewDemo(t).DB
	f := newQAFixture(t, db)
	awo, awoUser := f.orgOf(t, "awo@traeger.example")
	caritas, _ := f.orgOf(t, "caritas@traeger.example")

	id, err := calls.AskQuestion(ctx, db, awoUser, core.OrgCallScope{Call: f.callID, Org: awo}, "  Können Lose geteilt werden?  ", f.now)
	if err != nil {
		t.Fatal(err)
	}
	var body string
	db.Raw(`SELECT body FROM questions WHERE id = ?`, id).Scan(&body)
	if body != "Können Lose geteilt werden?" {
		t.Fatalf("stored %q", body)
	}
	e, d := lastAudit(t, db, audit.CallChain(f.callID), "question.asked")
	if e.ObjectID == "" || d["org_id"] != float64(awo) || *e.ActorID != awoUser.UserID {
		t.Fatalf("audit %+v %v", e, d)
	}

	// Not a member of the organisation: 404, nothing stored.
	if _, err := calls.AskQuestion(ctx, db, awoUser, core.OrgCallScope{Call: f.callID, Org: caritas}, "Frage?", f.now); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("foreign org: %v", err)
	}
	_, err = calls.AskQuestion(ctx, db, awoUser, core.OrgCallScope{Call: f.callID, Org: awo}, " ", f.now)
	wantCodes(t, err, "question:required")

	// At the question deadline it is still allowed, a minute later no more.
	until := f.content.Timeline.QuestionsUntil
	if _, err := calls.AskQuestion(ctx, db, awoUser, core.OrgCallScope{Call: f.callID, Org: awo}, "Letzte Frage?", until); err != nil {
		t.Fatalf("at the deadline: %v", err)
	}
	before := dbtest.Count(t, db, `SELECT count(*) FROM questions`)
	_, err = calls.AskQuestion(ctx, db, awoUser, core.OrgCallScope{Call: f.callID, Org: awo}, "Zu spät?", until.Add(time.Minute))
	if !errors.Is(err, core.ErrDeadlinePassed) {
		t.Fatalf("after the deadline: %v", err)
	}
	wantCodes(t, err, "question:deadline")
	if v, _ := core.AsValidation(err); !strings.Contains(v.Fields[0].Message, "abgelaufen") {
		t.Fatalf("message %q", v.Fields[0].Message)
	}
	if n := dbtest.Count(t, db, `SELECT count(*) FROM questions`); n != before {
		t.Fatalf("questions %d, want %d", n, before)
	}
	if got := dbtest.Count(t, db, `SELECT count(*) FROM audit_log WHERE action = 'question.asked' AND chain = ?`, audit.CallChain(f.callID)); got != 2 {
		t.Fatalf("question.asked entries %d, want 2", got)
	}
}

func TestAnswerMergeAndRephraseKeepAskerPrivate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewDemo(t).DB
	f := newQAFixture(t, db)
	awo, awoUser := f.orgOf(t, "awo@traeger.example")
	caritas, caritasUser := f.orgOf(t, "caritas@traeger.example")
	diakonie, diakonieUser := f.orgOf(t, "diakonie@traeger.example")
	diakonieMails := len(dbtest.MailsTo(t, db, "diakonie@traeger.example", `kind = 'answer_published'`))
	for _, fo := range []struct {
		org int64
		a   *core.Actor
	}{{awo, awoUser}, {diakonie, diakonieUser}} {
		if err := postbox.Follow(ctx, db, fo.a, core.OrgCallScope{Org: fo.org, Call: f.callID}, f.now); err != nil {
			t.Fatal(err)
		}
	}
	q1, _ := calls.AskQuestion(ctx, db, awoUser, core.OrgCallScope{Call: f.callID, Org: awo}, "Dürfen wir uns auf einen Teil eines Loses bewerben??", f.now)
	q2, _ := calls.AskQuestion(ctx, db, caritasUser, core.OrgCallScope{Call: f.callID, Org: caritas}, "Ist eine Teilbewerbung für Los Nord möglich?", f.now)
	q3, _ := calls.AskQuestion(ctx, db, caritasUser, core.OrgCallScope{Call: f.callID, Org: caritas}, "Kann man auch Teile eines Loses beantragen?", f.now)

	in := calls.AnswerInput{QuestionIDs: []int64{q2, q1}, Question: "Ist eine Bewerbung für einen Teil eines Loses möglich?",
		Answer: "Ja. Je Standort sind mindestens 1,0 VZÄ vorzusehen."}
	_, err := calls.AnswerQuestions(ctx, db, f.lead, core.CallScope{Tenant: f.tenantID, Call: f.callID}, calls.AnswerInput{QuestionIDs: in.QuestionIDs, Question: in.Question}, "http://x", f.now)
	wantCodes(t, err, "answer:required")
	other := taActor(t, db, "admin@beispielhausen.example") // lead of another Kreis
	if _, err := calls.AnswerQuestions(ctx, db, other, core.CallScope{Tenant: f.tenantID, Call: f.callID}, in, "http://x", f.now); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("other Kreis: %v", err)
	}
	if _, err := calls.AnswerQuestions(ctx, db, other, core.CallScope{Tenant: taTenantID(t, db, "beispielhausen"), Call: f.callID}, in, "http://x", f.now); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("other Kreis with own tenant: %v", err)
	}
	if n := dbtest.Count(t, db, `SELECT count(*) FROM qa_answers WHERE call_id = ?`, f.callID); n != 0 {
		t.Fatalf("answers after refused attempts: %d", n)
	}

	qa, err := calls.AnswerQuestions(ctx, db, f.lead, core.CallScope{Tenant: f.tenantID, Call: f.callID}, in, "http://x", f.now)
	if err != nil {
		t.Fatal(err)
	}
	if qa.Seq != 1 {
		t.Fatalf("seq %d", qa.Seq)
	}
	// Originals are kept and cannot be changed.
	var b1 string
	db.Raw(`SELECT body FROM questions WHERE id = ?`, q1).Scan(&b1)
	if b1 != "Dürfen wir uns auf einen Teil eines Loses bewerben??" {
		t.Fatalf("original changed: %q", b1)
	}
	if err := db.Exec(`UPDATE questions SET body = 'x' WHERE id = ?`, q1).Error; err == nil {
		t.Fatal("original wording could be changed")
	}
	if err := db.Exec(`UPDATE qa_answers SET answer = 'x'`).Error; err == nil {
		t.Fatal("published answer could be changed")
	}
	// Answering an answered question again is a conflict.
	_, err = calls.AnswerQuestions(ctx, db, f.lead, core.CallScope{Tenant: f.tenantID, Call: f.callID}, calls.AnswerInput{QuestionIDs: []int64{q1}, Question: "x", Answer: "y"}, "http://x", f.now)
	wantConflict(t, err)
	if err := calls.AssignToAnswer(ctx, db, f.lead, core.CallScope{Tenant: f.tenantID, Call: f.callID}, q3, qa.ID, "http://x", f.now); err != nil {
		t.Fatal(err)
	}

	chain := audit.CallChain(f.callID)
	if got := strings.Join(auditActions(t, db, chain), ","); got != "question.asked,question.asked,question.asked,question.merged,question.answered,question.merged" {
		t.Fatalf("audit %s", got)
	}
	_, d := lastAudit(t, db, chain, "question.answered")
	if d["rephrased"] != true || len(d["question_ids"].([]any)) != 2 {
		t.Fatalf("answered details %v", d)
	}
	verifyChain(t, db, chain)

	// The public read has the published wording and no trace of the askers.
	pub, err := calls.PublicQAs(ctx, db, f.callID)
	if err != nil || len(pub) != 1 {
		t.Fatalf("public %v %v", pub, err)
	}
	raw, _ := json.Marshal(pub)
	for _, leak := range []string{"Caritas", "Arbeiterwohlfahrt", "Dürfen wir", "org", "Clemens", "Andrea"} {
		if strings.Contains(string(raw), leak) {
			t.Fatalf("public Q&A contains %q: %s", leak, raw)
		}
	}
	// The asker sees its own questions with the answer.
	own, _ := calls.OwnQuestions(ctx, db, caritasUser, f.callID)
	if len(own) != 2 || !own[0].IsAnswered() || *own[0].AnswerSeq != 1 || own[0].OrgID != caritas {
		t.Fatalf("own %+v", own)
	}
	// Postfach: AWO (follower and asker) gets only "own answered", Diakonie (follower) the
	// public answer, Caritas (asker, twice) "own answered" twice (merge and later assignment).
	kinds := func(org int64) string {
		var ks []string
		db.Raw(`SELECT kind FROM inbox_messages WHERE org_id = ? AND call_id = ? ORDER BY id`, org, f.callID).Scan(&ks)
		return strings.Join(ks, ",")
	}
	if kinds(awo) != "own_answered" || kinds(diakonie) != "answer_published" || kinds(caritas) != "own_answered,own_answered" {
		t.Fatalf("inbox awo=%s diakonie=%s caritas=%s", kinds(awo), kinds(diakonie), kinds(caritas))
	}
	if n := len(dbtest.MailsTo(t, db, "diakonie@traeger.example", `kind = 'answer_published'`)) - diakonieMails; n != 1 {
		t.Fatalf("diakonie mails %d", n)
	}
}

func TestNotifyFollowersIsSetBased(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewDemo(t).DB
	f := newQAFixture(t, db)
	followedBefore := dbtest.Count(t, db, `SELECT count(*) FROM audit_log WHERE action = 'call.followed'`)
	var orgs []int64
	db.Raw(`SELECT id FROM organizations ORDER BY id`).Scan(&orgs)
	// A second member in every organisation, one user in two organisations.
	var extra int64
	db.Raw(`INSERT INTO users (email, name, password_hash) VALUES ('zwei@traeger.example', 'Zora Zwei', 'x') RETURNING id`).Scan(&extra)
	for _, o := range orgs[:2] {
		db.Exec(`INSERT INTO organization_members (org_id, user_id, role) VALUES (?, ?, 'org_member')`, o, extra)
	}

	notify := func() (stmts int64, mails int64) {
		var n atomic.Int64
		err := store.InTx(store.WithQueryCounter(ctx, &n), db, func(tx *gorm.DB) error {
			var err error
			mails, err = postbox.NotifyFollowers(tx, f.callID, postbox.InboxAmendment, "Betreff", "Text")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return n.Load(), mails
	}
	follow := func(o int64) {
		a := taActor(t, db, "leitung@musterland.example")
		a.Orgs = map[int64]core.Role{o: core.RoleOrgMember} // a member of o for this test
		if err := postbox.Follow(ctx, db, a, core.OrgCallScope{Org: o, Call: f.callID}, f.now); err != nil {
			t.Fatal(err)
		}
	}
	if s, m := notify(); s != 1 || m != 0 {
		t.Fatalf("no followers: %d statements, %d mails", s, m)
	}
	follow(orgs[0])
	s1, m1 := notify()
	for _, o := range orgs[1:] {
		follow(o)
	}
	s4, m4 := notify()
	// Sealing reads the followers, their members' addresses and the Kreis before the two
	// INSERTs (which, like the key loads, go to the connection directly): still a
	// constant number of statements whatever the number of followers.
	if s1 != 3 || s4 != 3 {
		t.Fatalf("statements %d and %d, want 3 for any number of followers", s1, s4)
	}
	// orgs[0]: admin + extra = 2; all four: 4 admins + extra once = 5.
	if m1 != 2 || m4 != 5 {
		t.Fatalf("mails %d and %d, want 2 and 5", m1, m4)
	}
	if n := dbtest.Count(t, db, `SELECT count(*) FROM inbox_messages WHERE kind = 'amendment' AND call_id = ?`, f.callID); n != 1+4 {
		t.Fatalf("inbox messages %d, want 5", n)
	}
	if n := len(dbtest.MailsTo(t, db, "zwei@traeger.example", "")); n != 2 {
		t.Fatalf("mails to the member of two organisations %d, want 2 (one per notification)", n)
	}
	// Unfollow and follow twice.
	a := taActor(t, db, "leitung@musterland.example")
	a.Orgs = map[int64]core.Role{orgs[0]: core.RoleOrgMember}
	if err := postbox.Follow(ctx, db, a, core.OrgCallScope{Org: orgs[0], Call: f.callID}, f.now); err != nil {
		t.Fatal(err)
	}
	if err := postbox.Unfollow(ctx, db, a, core.OrgCallScope{Org: orgs[0], Call: f.callID}); err != nil {
		t.Fatal(err)
	}
	if n := dbtest.Count(t, db, `SELECT count(*) FROM follows WHERE call_id = ?`, f.callID); n != 3 {
		t.Fatalf("follows %d", n)
	}
	if got := dbtest.Count(t, db, `SELECT count(*) FROM audit_log WHERE action = 'call.followed'`) - followedBefore; got != 4 {
		t.Fatalf("call.followed %d, want 4 (the repeated follow is not recorded)", got)
	}
}

func TestInboxReadsWithoutMarkingAndIsolates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewDemo(t).DB
	f := newQAFixture(t, db)
	awo, awoUser := f.orgOf(t, "awo@traeger.example")
	caritas, caritasUser := f.orgOf(t, "caritas@traeger.example")
	if err := postbox.Follow(ctx, db, awoUser, core.OrgCallScope{Org: awo, Call: f.callID}, f.now); err != nil {
		t.Fatal(err)
	}
	err := store.InTx(ctx, db, func(tx *gorm.DB) error {
		_, err := postbox.NotifyFollowers(tx, f.callID, postbox.InboxAmendment, "Erste", "A")
		if err == nil {
			_, err = postbox.NotifyFollowers(tx, f.callID, postbox.InboxCancellation, "Zweite", "B")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	all, unreadBefore, err := postbox.Inbox(ctx, db, awoUser, awo, 50)
	var msgs []postbox.InboxMessage
	unread := 0
	for _, m := range all {
		if m.CallID != nil && *m.CallID == f.callID {
			msgs = append(msgs, m)
			if m.ReadAt == nil {
				unread++
			}
		}
	}
	if err != nil || len(msgs) != 2 || unread != 2 || msgs[0].Subject != "Zweite" || msgs[0].CallRef == "" {
		t.Fatalf("inbox %+v unread %d %v", msgs, unread, err)
	}
	if _, _, err := postbox.Inbox(ctx, db, awoUser, caritas, 50); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("foreign inbox: %v", err)
	}
	if _, err := postbox.InboxMessageOf(ctx, db, caritasUser, caritas, msgs[0].ID); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("foreign message: %v", err)
	}
	if err := postbox.MarkInboxRead(ctx, db, caritasUser, caritas, msgs[0].ID, f.now); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("foreign message marked: %v", err)
	}
	m, err := postbox.InboxMessageOf(ctx, db, awoUser, awo, msgs[1].ID)
	if err != nil || m.ReadAt != nil || m.Subject != "Erste" {
		t.Fatalf("reading changed the message or failed: %+v %v", m, err)
	}
	if err := postbox.MarkInboxRead(ctx, db, awoUser, awo, msgs[1].ID, f.now); err != nil {
		t.Fatal(err)
	}
	if m, err = postbox.InboxMessageOf(ctx, db, awoUser, awo, msgs[1].ID); err != nil || m.ReadAt == nil {
		t.Fatalf("marked message %+v %v", m, err)
	}
	if _, unreadAfter, _ := postbox.Inbox(ctx, db, awoUser, awo, 50); unreadAfter != unreadBefore-1 {
		unread = int(unreadAfter)
		t.Fatalf("unread %d", unread)
	}
}

func TestCallExtrasQueryCountIsConstant(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewDemo(t).DB
	f := newQAFixture(t, db)
	awo, awoUser := f.orgOf(t, "awo@traeger.example")
	count := func() int64 {
		h, err := calls.PublishedCallHeader(ctx, db, "musterland-2026-91")
		if err != nil {
			t.Fatal(err)
		}
		var n atomic.Int64
		x, err := calls.LoadCallExtras(store.WithQueryCounter(ctx, &n), db, awoUser, h, f.now)
		if err != nil || x.Call.ID != f.callID {
			t.Fatal(err)
		}
		return n.Load()
	}
	first := count()
	for i := range 6 {
		q, err := calls.AskQuestion(ctx, db, awoUser, core.OrgCallScope{Call: f.callID, Org: awo}, "Frage "+string(rune('A'+i)), f.now)
		if err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			if _, err := calls.AnswerQuestions(ctx, db, f.lead, core.CallScope{Tenant: f.tenantID, Call: f.callID}, calls.AnswerInput{QuestionIDs: []int64{q}, Question: "F", Answer: "A"}, "", f.now); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := postbox.Follow(ctx, db, awoUser, core.OrgCallScope{Org: awo, Call: f.callID}, f.now); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		in := amendInput(f.content, "Fristverlängerung "+string(rune('1'+i)), 0)
		f.content.Timeline.Deadline = f.content.Timeline.Deadline.AddDate(0, 0, 1)
		in.Content.Deadline = rules.FormatGermanDateTimeInput(f.content.Timeline.Deadline)
		in.Content.PlannedOpening = rules.FormatGermanDateTimeInput(f.content.Timeline.PlannedOpening.AddDate(0, 0, 1+i))
		if _, err := calls.Amend(ctx, db, f.lead, core.CallScope{Tenant: f.tenantID, Call: f.callID}, in, rules.DefaultCallRules(), "", f.now, dbtest.FakeDocuments{}); err != nil {
			t.Fatal(err)
		}
	}
	if later := count(); later != first || first > 5 {
		t.Fatalf("queries %d with nothing, %d with 6 questions, 3 answers and 3 versions", first, later)
	}
}
