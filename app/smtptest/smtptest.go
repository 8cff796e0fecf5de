// Package smtptest runs a real SMTP server on loopback for tests: it records every
// message it receives and can be told to refuse messages.
package smtptest

import (
	"io"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"
)

// Sink is the recording SMTP server.
type Sink struct {
	mu       sync.Mutex
	received []string
	refuse   bool
	Addr     string // host:port to send to
}

// Start serves a Sink on 127.0.0.1 until the test ends.
func Start(t testing.TB) *Sink {
	t.Helper()
	sink := &Sink{}
	srv := smtp.NewServer(sink)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sink.Addr = ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return sink
}

// SetRefuse makes the server answer every message with a temporary failure (451) or accept again.
func (s *Sink) SetRefuse(refuse bool) {
	s.mu.Lock()
	s.refuse = refuse
	s.mu.Unlock()
}

// Messages returns what arrived, each as "RCPT:<recipients>\n<raw message>".
func (s *Sink) Messages() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.received...)
}

// NewSession implements smtp.Backend.
func (s *Sink) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }

type session struct {
	s  *Sink
	to []string
}

func (ss *session) Reset()                               {}
func (ss *session) Logout() error                        { return nil }
func (ss *session) Mail(string, *smtp.MailOptions) error { return nil }
func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}
func (ss *session) Data(r io.Reader) error {
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
