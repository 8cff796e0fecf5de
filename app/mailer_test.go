package app_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"gorm.io/gorm"

	"kimibv/app"
	"kimibv/models"
	"kimibv/models/dbtest"
)

// smtpSink is a real SMTP server on loopback that records what it receives and can
// be told to refuse messages.
type smtpSink struct {
	mu       sync.Mutex
	received []string
	refuse   bool
	addr     string
}

func (s *smtpSink) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{s: s}, nil }

type sinkSession struct {
	s    *smtpSink
	to   []string
	from string
}

func (ss *sinkSession) Reset()        {}
func (ss *sinkSession) Logout() error { return nil }
func (ss *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	ss.from = from
	return nil
}
func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}
func (ss *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	if ss.s.refuse {
		return &smtp.SMTPError{Code: 451, Message: "try again later"}
	}
	ss.s.received = append(ss.s.received, "RCPT:"+strings.Join(ss.to, ",")+"\n"+string(b))
	return nil
}

func (s *smtpSink) messages() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.received...)
}

func startSMTP(t *testing.T) *smtpSink {
	sink := &smtpSink{}
	srv := smtp.NewServer(sink)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sink.addr = ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return sink
}

func queueMail(t *testing.T, db *gorm.DB, to, subject string) {
	t.Helper()
	err := models.InTx(context.Background(), db, func(tx *gorm.DB) error {
		return models.EnqueueMail(tx, models.Mail{ToAddr: to, Subject: subject, Body: "Grüße aus dem Kreis – ß € „Test“"})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestOutboxDeliversOverSMTPWithRetryAndNoDuplicates(t *testing.T) {
	ctx := context.Background()
	db := dbtest.DB(t)
	sink := startSMTP(t)
	host, port, _ := net.SplitHostPort(sink.addr)
	var p int
	p, _ = strconv.Atoi(port)
	deliver, err := app.NewDeliverer(app.SMTPConfig{Host: host, Port: p, From: "kimibv@kreis.example", TLS: "none", Domain: "kimibv.test"},
		false, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}

	queueMail(t, db, "jana@kreis.example", "Passwort zurücksetzen")
	sink.mu.Lock()
	sink.refuse = true
	sink.mu.Unlock()
	if n, err := models.SendOutbox(ctx, db, deliver, 10); err != nil || n != 0 {
		t.Fatalf("refused delivery: sent %d, err %v", n, err)
	}
	var m models.Mail
	db.First(&m)
	if m.Attempts != 1 || m.SentAt != nil || m.LastError == "" || !m.NextTryAt.After(time.Now().Add(30*time.Second)) {
		t.Fatalf("after a refusal the mail must wait with back-off: %+v", m)
	}
	// Not due yet: nothing is tried.
	if n, _ := models.SendOutbox(ctx, db, deliver, 10); n != 0 {
		t.Fatal("mail sent before its next try")
	}
	sink.mu.Lock()
	sink.refuse = false
	sink.mu.Unlock()
	db.Exec(`UPDATE outbox SET next_try_at = now() - interval '1 second'`)

	// Two senders (two instances) race: every mail arrives exactly once.
	queueMail(t, db, "a@traeger.example", "Eingangsbestätigung")
	queueMail(t, db, "b@traeger.example", "Mitteilung")
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); _, _ = models.SendOutbox(ctx, db, deliver, 10) }()
	}
	wg.Wait()
	msgs := sink.messages()
	if len(msgs) != 3 {
		t.Fatalf("want 3 messages, got %d", len(msgs))
	}
	seen := map[string]int{}
	for _, msg := range msgs {
		rcpt := strings.SplitN(msg, "\n", 2)[0]
		seen[rcpt]++
		if !strings.Contains(msg, "Message-Id: <outbox-") && !strings.Contains(msg, "Message-ID: <outbox-") {
			t.Errorf("no stable Message-ID in\n%s", msg)
		}
	}
	for rcpt, n := range seen {
		if n != 1 {
			t.Errorf("%s received %d times", rcpt, n)
		}
	}
	var pending int64
	db.Raw(`SELECT count(*) FROM outbox WHERE sent_at IS NULL`).Scan(&pending)
	if pending != 0 {
		t.Fatalf("%d mails still pending", pending)
	}
	// Nothing is sent again.
	if n, _ := models.SendOutbox(ctx, db, deliver, 10); n != 0 || len(sink.messages()) != 3 {
		t.Fatal("a sent mail was sent again")
	}
}

func TestOutboxMarksMailFailedAfterMaxAttempts(t *testing.T) {
	ctx := context.Background()
	db := dbtest.DB(t)
	queueMail(t, db, "x@kreis.example", "Test")
	failing := func(context.Context, models.Mail) error { return io.ErrUnexpectedEOF }
	for i := 0; i < 8; i++ {
		db.Exec(`UPDATE outbox SET next_try_at = now() - interval '1 second'`)
		if _, err := models.SendOutbox(ctx, db, failing, 10); err != nil {
			t.Fatal(err)
		}
	}
	var m models.Mail
	db.First(&m)
	if m.FailedAt == nil || m.Attempts != 8 || !strings.Contains(m.LastError, "unexpected EOF") {
		t.Fatalf("mail not marked failed after 8 attempts: %+v", m)
	}
}
