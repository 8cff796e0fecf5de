package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/wneessen/go-mail"

	"kimibv/models/accounts"
	"kimibv/models/calls"
	"kimibv/models/consultation"
	"kimibv/models/decision"
	"kimibv/models/forwarding"
	"kimibv/models/postbox"
)

// SMTPConfig configures outgoing mail; an empty Host keeps mail in the outbox.
type SMTPConfig struct {
	Host, User, Password, From, TLS string
	Port                            int
	Domain                          string // host part of Message-IDs
}

// NewDeliverer returns the outbox deliverer: SMTP when configured, and in development
// additionally (or, without SMTP, only) the log.
func NewDeliverer(cfg SMTPConfig, dev bool, log *slog.Logger) (postbox.Deliverer, error) {
	logMail := func(m postbox.Mail) {
		log.Info("mail", "to", m.ToAddr, "subject", m.Subject, "body", m.Body)
	}
	if cfg.Host == "" {
		if !dev {
			return nil, nil
		}
		return func(_ context.Context, m postbox.Mail) error { logMail(m); return nil }, nil
	}
	opts := []mail.Option{mail.WithPort(cfg.Port), mail.WithTimeout(defaultSMTPTimeout)}
	switch cfg.TLS {
	case "tls":
		opts = append(opts, mail.WithSSLPort(false))
	case "starttls":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	}
	if cfg.User != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(cfg.User), mail.WithPassword(cfg.Password))
	}
	client, err := mail.NewClient(cfg.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("smtp client: %w", err)
	}
	return func(ctx context.Context, m postbox.Mail) error {
		if dev {
			logMail(m)
		}
		msg := mail.NewMsg()
		if err := msg.From(cfg.From); err != nil {
			return fmt.Errorf("from: %w", err)
		}
		if err := msg.To(m.ToAddr); err != nil {
			return fmt.Errorf("to: %w", err)
		}
		msg.Subject(m.Subject)
		// A stable Message-ID lets receivers drop a copy sent again after a crash.
		msg.SetMessageIDWithValue(fmt.Sprintf("outbox-%d@%s", m.ID, cfg.Domain))
		msg.SetBodyString(mail.TypeTextPlain, m.Body)
		if err := client.DialAndSendWithContext(ctx, msg); err != nil {
			// After the message data went out, a failure without a reply of the server
			// (connection lost, timeout) leaves open whether it accepted the mail: such a
			// mail is never retried automatically (postbox.ErrDeliveryUncertain).
			var se *mail.SendError
			if errors.As(err, &se) && se.Reason == mail.ErrSMTPDataClose && se.ErrorCode() == 0 {
				return fmt.Errorf("send mail %d: %w: %w", m.ID, postbox.ErrDeliveryUncertain, err)
			}
			return fmt.Errorf("send mail %d: %w", m.ID, err)
		}
		return nil
	}, nil
}

// defaultSMTPTimeout bounds one SMTP conversation.
const defaultSMTPTimeout = 30 * time.Second

// Jobs returns the scheduled jobs of the application.
func (a *App) Jobs(deliver postbox.Deliverer) []Job {
	var jobs []Job
	if deliver != nil {
		jobs = append(jobs, Job{Name: "outbox", Spec: "*/15 * * * * *", Run: func(ctx context.Context) error {
			n, err := postbox.SendOutbox(ctx, a.db, deliver, 50)
			if n > 0 {
				a.log.Info("outbox sent", "count", n)
			}
			return err
		}})
	}
	// After the standstill with no open objection the award becomes final (rules.md R10); pages report it due until then.
	jobs = append(jobs, Job{Name: "finalize-awards", Spec: "0 * * * * *", Run: func(ctx context.Context) error {
		n, err := decision.FinalizeDueAwards(ctx, a.db, a.docs, a.now())
		if n > 0 {
			a.log.Info("awards made final", "count", n)
		}
		return err
	}})
	// Every receipted version gets its Eingangsbestätigung, even if the process ended before it was issued.
	jobs = append(jobs, Job{Name: "receipts", Spec: "*/30 * * * * *", Run: a.owedReceiptsJob})
	// Calls move to "Frist abgelaufen" at their deadline (rules.md R14); pages show a call past its deadline as closed until then (rules.StateAt).
	jobs = append(jobs, Job{Name: "close-calls", Spec: "*/20 * * * * *", Run: func(ctx context.Context) error {
		n, err := calls.CloseDueCalls(ctx, a.db, a.now())
		if n > 0 {
			a.log.Info("calls closed at their deadline", "count", n)
		}
		return err
	}})
	// The invitees of a Beteiligung are reminded a day before it ends, once (rules.md R31).
	jobs = append(jobs, Job{Name: "consultation-reminders", Spec: "10 */5 * * * *", Run: func(ctx context.Context) error {
		_, err := consultation.RemindClosing(ctx, a.db, a.cfg.BaseURL, a.now())
		return err
	}})
	// Providers are reminded of a missing Verwendungsnachweis before and after its deadline, once each (rules.md R38).
	jobs = append(jobs, Job{Name: "proof-reminders", Spec: "20 */15 * * * *", Run: func(ctx context.Context) error {
		_, err := forwarding.SendProofReminders(ctx, a.db, a.now())
		return err
	}})
	// A client address is kept only while its login-throttle window runs (rules.md R27).
	jobs = append(jobs, Job{Name: "login-throttle", Spec: "0 */5 * * * *", Run: func(ctx context.Context) error {
		_, err := accounts.ForgetLoginFailures(ctx, a.db, a.now())
		return err
	}})
	for i := range jobs {
		jobs[i] = a.metrics.countJob(jobs[i])
	}
	return jobs
}

// hostOf returns the host of a base URL, for Message-IDs.
func hostOf(baseURL string) string {
	h := strings.TrimPrefix(strings.TrimPrefix(baseURL, "https://"), "http://")
	h, _, _ = strings.Cut(h, "/")
	h, _, _ = strings.Cut(h, ":")
	return h
}

// MessageDomain returns the domain used in Message-IDs for the configured base URL.
func (a *App) MessageDomain() string { return hostOf(a.cfg.BaseURL) }
