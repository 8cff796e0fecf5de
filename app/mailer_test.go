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

	"gorm.io/gorm"

	"kimibv/app"
	"kimibv/app/smtptest"
	"kimibv/models/core"
	"kimibv/models/dbtest"
	"kimibv/models/postbox"
	"kimibv/models/store"
)

// startSMTP starts the shared in-process SMTP server of app/smtptest.
func startSMTP(t *testing.T) *smtptest.Sink { return smtptest.Start(t) }

// delivererTo returns the application's mail deliverer for the SMTP server at addr
// (host:port, plain SMTP), as the tests deliver the outbox with it.
func delivererTo(t *testing.T, addr string) postbox.Deliverer {
	t.Helper()
	host, port, _ := net.SplitHostPort(addr)
	p, _ := strconv.Atoi(port)
	deliver, err := app.NewDeliverer(app.SMTPConfig{Host: host, Port: p, From: "kimibv@kreis.example", TLS: "none", Domain: "kimibv.test"},
		false, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return deliver
}

func queueMail(t *testing.T, db *gorm.DB, to, subject string) {
	t.Helper()
	err := store.InTx(context.Background(), db, func(tx *gorm.DB) error {
		return postbox.EnqueueMail(tx, postbox.Mail{ToAddr: to, Subject: subject, Body: "Grüße aus dem Kreis – ß € „Test“"})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestOutboxDeliversOverSMTPWithRetryAndNoDuplicates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.DB(t)
	sink := startSMTP(t)
	deliver := delivererTo(t, sink.Addr)

	queueMail(t, db, "jana@kreis.example", "Passwort zurücksetzen")
	sink.SetRefuse(true)
	if n, err := postbox.SendOutbox(ctx, db, deliver, 10); err != nil || n != 0 {
		t.Fatalf("refused delivery: sent %d, err %v", n, err)
	}
	var m postbox.Mail
	db.First(&m)
	if m.Attempts != 1 || m.SentAt != nil || m.LastError == "" || !m.NextTryAt.After(time.Now().Add(30*time.Second)) {
		t.Fatalf("after a refusal the mail must wait with back-off: %+v", m)
	}
	// Not due yet: nothing is tried.
	if n, _ := postbox.SendOutbox(ctx, db, deliver, 10); n != 0 {
		t.Fatal("mail sent before its next try")
	}
	sink.SetRefuse(false)
	db.Exec(`UPDATE outbox SET next_try_at = now() - interval '1 second'`)

	// Two senders (two instances) race: every mail arrives exactly once.
	queueMail(t, db, "a@traeger.example", "Eingangsbestätigung")
	queueMail(t, db, "b@traeger.example", "Mitteilung")
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); _, _ = postbox.SendOutbox(ctx, db, deliver, 10) }()
	}
	wg.Wait()
	msgs := sink.Messages()
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
	if n, _ := postbox.SendOutbox(ctx, db, deliver, 10); n != 0 || len(sink.Messages()) != 3 {
		t.Fatal("a sent mail was sent again")
	}
}

func TestOutboxMarksMailFailedAfterMaxAttempts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.DB(t)
	queueMail(t, db, "x@kreis.example", "Test")
	failing := func(context.Context, postbox.Mail) error { return io.ErrUnexpectedEOF }
	for i := 0; i < 8; i++ {
		db.Exec(`UPDATE outbox SET next_try_at = now() - interval '1 second'`)
		if _, err := postbox.SendOutbox(ctx, db, failing, 10); err != nil {
			t.Fatal(err)
		}
	}
	var m postbox.Mail
	db.First(&m)
	if m.FailedAt == nil || m.Attempts != 8 || strings.Contains(m.LastError, "unexpected EOF") {
		t.Fatalf("mail not marked failed after 8 attempts (with the error sealed): %+v", m)
	}
	// The review opens the sealed error text for the operator (a mail without a Kreis).
	problems, err := postbox.OutboxProblems(ctx, db, &core.Actor{PlatformAdmin: true}, 0, 10)
	if err != nil || len(problems) != 1 || !strings.Contains(problems[0].LastError, "unexpected EOF") || problems[0].ToAddr != "x@kreis.example" {
		t.Fatalf("review of the failed mail: %+v %v", problems, err)
	}
}
