package app_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"gorm.io/gorm"

	"kimibv/models/core"
	"kimibv/models/dbtest"
	"kimibv/models/postbox"
	"kimibv/models/store"
)

// TestOutboxNeverSendsTwiceAfterCrash: the sender hands a mail to a real SMTP server and
// dies before recording it. Neither a restart nor two racing instances send it again; it
// becomes "needs review" on the Kreis administrator's list, and only the administrator's
// explicit retry sends it once more.
func TestOutboxNeverSendsTwiceAfterCrash(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.DB(t)
	sink := startSMTP(t)
	deliver := delivererTo(t, sink.Addr)
	var tenantID int64
	if err := db.Raw(`INSERT INTO tenants (slug, name, kind) VALUES ('testkreis', 'Testkreis', 'kreis') RETURNING id`).Scan(&tenantID).Error; err != nil {
		t.Fatal(err)
	}
	if err := store.InTx(ctx, db, func(tx *gorm.DB) error {
		return postbox.EnqueueMail(tx, postbox.Mail{TenantID: &tenantID, ToAddr: "awo@traeger.example", Subject: "Mitteilung", Body: "Ergebnis"})
	}); err != nil {
		t.Fatal(err)
	}
	crash := func(ctx context.Context, m postbox.Mail) error {
		if err := deliver(ctx, m); err != nil {
			return err
		}
		panic("process killed after the SMTP server accepted the mail")
	}
	func() {
		defer func() { _ = recover() }()
		_, _ = postbox.SendOutbox(ctx, db, crash, 10)
	}()
	if n := len(sink.Messages()); n != 1 {
		t.Fatalf("%d messages after the first attempt, want 1", n)
	}
	// Restart right away: the claim is fresh, nothing is sent.
	if n, err := postbox.SendOutbox(ctx, db, deliver, 10); err != nil || n != 0 {
		t.Fatalf("restart sent %d (%v)", n, err)
	}
	// The claim is abandoned (older than 10 minutes): two instances race; none re-sends.
	db.Exec(`UPDATE outbox SET sending_at = now() - interval '11 minutes'`)
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); _, _ = postbox.SendOutbox(ctx, db, deliver, 10) }()
	}
	wg.Wait()
	if n := len(sink.Messages()); n != 1 {
		t.Fatalf("the mail was sent %d times after the crash", n)
	}
	admin := &core.Actor{UserID: 0, Tenants: map[int64][]core.Role{tenantID: {core.RoleTenantAdmin}}}
	problems, err := postbox.OutboxProblems(ctx, db, admin, tenantID, 10)
	if err != nil || len(problems) != 1 || problems[0].UncertainAt == nil {
		t.Fatalf("uncertain mail not listed for review: %+v %v", problems, err)
	}
	if _, err := postbox.OutboxProblems(ctx, db, &core.Actor{Tenants: map[int64][]core.Role{tenantID: {core.RoleLead}}}, tenantID, 10); err == nil {
		t.Fatal("a lead sees the outbox problems")
	}
	// Later runs leave it alone.
	time.Sleep(10 * time.Millisecond)
	if n, _ := postbox.SendOutbox(ctx, db, deliver, 10); n != 0 || len(sink.Messages()) != 1 {
		t.Fatal("an uncertain mail was re-sent automatically")
	}
	// The administrator decides to send it again: exactly one more delivery.
	var uid int64
	db.Raw(`INSERT INTO users (email, name, password_hash) VALUES ('admin@testkreis.example', 'Admin', 'x') RETURNING id`).Scan(&uid)
	admin.UserID = uid
	if err := postbox.RetryMail(ctx, db, admin, tenantID, problems[0].ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if n, err := postbox.SendOutbox(ctx, db, deliver, 10); err != nil || n != 1 || len(sink.Messages()) != 2 {
		t.Fatalf("retry: sent %d (%v), %d messages", n, err, len(sink.Messages()))
	}
	if n, _ := postbox.SendOutbox(ctx, db, deliver, 10); n != 0 || len(sink.Messages()) != 2 {
		t.Fatal("sent again after the retry was recorded")
	}
}

// TestOutboxUncertainDeliveryIsNotRetried: a deliverer that cannot tell whether the server
// accepted the mail (postbox.ErrDeliveryUncertain) puts it on the review list at once.
func TestOutboxUncertainDeliveryIsNotRetried(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.DB(t)
	queueMail(t, db, "x@kreis.example", "Test")
	callRows := 0
	unsure := func(context.Context, postbox.Mail) error {
		callRows++
		return fmt.Errorf("connection lost after DATA: %w", postbox.ErrDeliveryUncertain)
	}
	for i := 0; i < 3; i++ {
		db.Exec(`UPDATE outbox SET next_try_at = now() - interval '1 second'`)
		if _, err := postbox.SendOutbox(ctx, db, unsure, 10); err != nil {
			t.Fatal(err)
		}
	}
	var m struct {
		UncertainAt *time.Time
		Attempts    int
	}
	db.Raw(`SELECT uncertain_at, attempts FROM outbox`).Scan(&m)
	if callRows != 1 || m.UncertainAt == nil || m.Attempts != 1 {
		t.Fatalf("uncertain delivery retried: %d calls, %+v", callRows, m)
	}
}

// dropBackend is an SMTP server that reads the message data and then drops the
// connection without a reply: the client cannot know whether the mail was accepted.
// received is counted in the server's goroutine and read by the test, hence atomic.
type dropBackend struct{ received atomic.Int64 }

func (b *dropBackend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &dropSession{b: b, c: c}, nil
}

type dropSession struct {
	b *dropBackend
	c *smtp.Conn
}

func (s *dropSession) Reset()                               {}
func (s *dropSession) Logout() error                        { return nil }
func (s *dropSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *dropSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *dropSession) Data(r io.Reader) error {
	_, _ = io.ReadAll(r)
	s.b.received.Add(1)
	_ = s.c.Close()
	return io.ErrUnexpectedEOF
}

// TestSMTPConnectionLostAfterDataIsUncertain: through the real deliverer, a server that
// drops the connection after the data makes the mail uncertain, not retried.
func TestSMTPConnectionLostAfterDataIsUncertain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.DB(t)
	backend := &dropBackend{}
	srv := smtp.NewServer(backend)
	srv.Domain, srv.AllowInsecureAuth = "localhost", true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	deliver := delivererTo(t, ln.Addr().String())
	queueMail(t, db, "x@kreis.example", "Test")
	for i := 0; i < 2; i++ {
		db.Exec(`UPDATE outbox SET next_try_at = now() - interval '1 second'`)
		if _, err := postbox.SendOutbox(ctx, db, deliver, 10); err != nil {
			t.Fatal(err)
		}
	}
	var uncertain int64
	db.Raw(`SELECT count(*) FROM outbox WHERE uncertain_at IS NOT NULL AND sent_at IS NULL AND attempts = 1`).Scan(&uncertain)
	if n := backend.received.Load(); n != 1 || uncertain != 1 {
		t.Fatalf("server received %d, uncertain %d; want 1 and 1", n, uncertain)
	}
}
