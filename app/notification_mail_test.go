package app_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"kimibv/models/demo"
	"kimibv/models/postbox"
	"kimibv/models/rules"
)

// receivedMail is a message as the SMTP server received it, decoded.
type receivedMail struct {
	To, Subject, Body string
}

// deliverOutbox sends every pending outbox mail with the application's deliverer to a
// real SMTP server (app/smtptest) and returns the messages as the server received them.
func deliverOutbox(t *testing.T, db *gorm.DB) []receivedMail {
	t.Helper()
	sink := startSMTP(t)
	deliver := delivererTo(t, sink.Addr)
	for {
		n, err := postbox.SendOutbox(context.Background(), db, deliver, 50)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	var out []receivedMail
	for _, raw := range sink.Messages() {
		out = append(out, decodeMail(t, raw))
	}
	return out
}

// decodeMail decodes a message of smtptest.Sink ("RCPT:<to>\n<message>"): the encoded
// subject and the quoted-printable or base64 body.
func decodeMail(t *testing.T, raw string) receivedMail {
	t.Helper()
	rcpt, msg, _ := strings.Cut(raw, "\n")
	m, err := mail.ReadMessage(strings.NewReader(msg))
	if err != nil {
		t.Fatalf("received message: %v\n%s", err, msg)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatalf("subject: %v", err)
	}
	body := m.Body
	switch strings.ToLower(m.Header.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatalf("body: %v", err)
	}
	return receivedMail{To: strings.TrimPrefix(rcpt, "RCPT:"), Subject: subject, Body: strings.ReplaceAll(string(b), "\r\n", "\n")}
}

// reEmptyValue finds what a value left empty leaves in a mail: a label with nothing after
// it ("Frage 3: " and an empty line), empty quotes or brackets, a link with an empty part.
var reEmptyValue = regexp.MustCompile(`:[ \t]*\n[ \t]*(\n|$)|:[ \t]*$|„“|\(\)|[^:]//|/\s`)

// checkFilled fails for an empty mail or one with an empty value.
func checkFilled(t *testing.T, m receivedMail) {
	t.Helper()
	if strings.TrimSpace(m.Subject) == "" || strings.TrimSpace(m.Body) == "" {
		t.Errorf("mail to %s %q has an empty subject or body", m.To, m.Subject)
	}
	if loc := reEmptyValue.FindStringIndex(m.Body); loc != nil {
		from, to := max(loc[0]-60, 0), min(loc[1]+20, len(m.Body))
		t.Errorf("mail to %s %q leaves a value empty: …%s…", m.To, m.Subject, m.Body[from:to])
	}
}

// mailTo returns the one received mail to addr whose subject starts with prefix.
func mailTo(t *testing.T, mails []receivedMail, addr, prefix string) receivedMail {
	t.Helper()
	var found []receivedMail
	for _, m := range mails {
		if strings.Contains(m.To, addr) && strings.HasPrefix(m.Subject, prefix) {
			found = append(found, m)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d mails %q to %s, want 1", len(found), prefix, addr)
	}
	return found[0]
}

// TestNotificationMailsCarryTheirContent goes through the notifications of a published
// call over HTTP — a question answered (to the asker and a follower), a later duplicate
// assigned to that answer, a material amendment (to followers, and the bidder must
// re-confirm), a cancellation, an invitation and a password reset — and reads the mails as the SMTP server received them: the answer mails show
// the published question and answer, and no mail leaves a value empty.
func TestNotificationMailsCarryTheirContent(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, true)
	db := ta.store.DB
	if err := db.Exec(`UPDATE outbox SET sent_at = now() WHERE sent_at IS NULL`).Error; err != nil { // the demo's own mails
		t.Fatal(err)
	}
	id, ref := ta.openCall()
	base := fmt.Sprintf("/verwaltung/musterland/verfahren/%d", id)
	ask := func(email, prefix, question string) int64 {
		c := ta.client()
		c.login(email, demo.Password)
		c.post("/ausschreibungen/"+ref+"/fragen", url.Values{"org": {fmt.Sprint(ta.orgID(prefix))}, "question": {question}}).wantStatus(t, http.StatusSeeOther)
		return ta.count(`SELECT max(id) FROM questions WHERE call_id = ?`, id)
	}
	q1 := ask("awo@traeger.example", "Arbeiterwohlfahrt", "Sind Fahrtkosten für Hausbesuche aus dem Zuschuss förderfähig?")
	q2 := ask("caritas@traeger.example", "Caritas", "Können wir Fahrtkosten der Hausbesuche abrechnen?")
	lead := ta.client()
	lead.login("leitung@musterland.example", demo.Password)
	question, answer := "Sind Fahrtkosten für Hausbesuche förderfähig?", "Ja, als Sachausgaben aus dem Zuschuss des Kreises, bis 1.200 € je VZÄ und Jahr."
	lead.post(fmt.Sprintf("%s/fragen/%d/antwort", base, q1), url.Values{"question": {question}, "answer": {answer}}).wantStatus(t, http.StatusSeeOther)
	answerID := ta.count(`SELECT answer_id FROM questions WHERE id = ?`, q1)
	lead.post(fmt.Sprintf("%s/fragen/%d/zuordnen", base, q2), url.Values{"answer_id": {fmt.Sprint(answerID)}}).wantStatus(t, http.StatusSeeOther)

	// A material amendment (longer answers, the deadline a week later: AWO must re-confirm
	// its bid), an invitation, a password reset, the cancellation.
	values := formFields(t, lead.get(base+"/aenderung").wantStatus(t, http.StatusOK).Body)
	var deadline time.Time
	db.Raw(`SELECT deadline FROM calls WHERE id = ?`, id).Scan(&deadline)
	chars, _ := strconv.Atoi(values.Get("answer_max_chars"))
	values.Set("answer_max_chars", strconv.Itoa(chars+500))
	values.Set("reason", "Längere Antworten und Verlängerung wegen der Sommerferien")
	values.Set("deadline", rules.FormatGermanDateTimeInput(deadline.AddDate(0, 0, 7)))
	values.Set("planned_opening", rules.FormatGermanDateTimeInput(deadline.AddDate(0, 0, 8)))
	values.Set("action", "publish")
	lead.post(base+"/aenderung", values).wantStatus(t, http.StatusSeeOther)
	admin := ta.client()
	admin.login("admin@musterland.example", demo.Password)
	admin.post("/verwaltung/musterland/einladungen", url.Values{"email": {"neu@musterland.example"}, "roles": {"lead"}}).wantStatus(t, http.StatusSeeOther)
	ta.client().post("/passwort-vergessen", url.Values{"email": {"awo@traeger.example"}}).wantStatus(t, http.StatusSeeOther)
	lead.post(base+"/aufhebung", url.Values{"reason": {"Die Landesmittel wurden nicht bewilligt."}}).wantStatus(t, http.StatusSeeOther)

	mails := deliverOutbox(t, db)
	for _, m := range []receivedMail{
		mailTo(t, mails, "awo@traeger.example", "Ihre Frage wurde beantwortet"),
		mailTo(t, mails, "caritas@traeger.example", "Ihre Frage wurde beantwortet"),
		mailTo(t, mails, "diakonie@traeger.example", "Neue Antwort"), // follows the call (demo)
	} {
		for _, want := range []string{question, answer, "http://kimibv.test/ausschreibungen/" + ref + "/fragen#antwort-"} {
			if !strings.Contains(m.Body, want) {
				t.Errorf("mail to %s %q lacks %q:\n%s", m.To, m.Subject, want, m.Body)
			}
		}
	}
	mailTo(t, mails, "diakonie@traeger.example", "Änderungsbekanntmachung")
	if m := mailTo(t, mails, "awo@traeger.example", "Bitte bestätigen Sie Ihre Interessenbekundung erneut"); !strings.Contains(m.Body, "http://kimibv.test/ausschreibungen/"+ref+"/fassungen/") {
		t.Errorf("the re-confirmation mail does not link to the changes:\n%s", m.Body)
	}
	mailTo(t, mails, "diakonie@traeger.example", "Aufhebung")
	mailTo(t, mails, "neu@musterland.example", "Einladung")
	mailTo(t, mails, "awo@traeger.example", "kimibv: Passwort zurücksetzen")
	for _, m := range mails {
		checkFilled(t, m)
		if strings.Contains(m.Body, "localhost") {
			t.Errorf("mail to %s %q links to localhost instead of the configured address:\n%s", m.To, m.Subject, m.Body)
		}
	}
	t.Logf("%d mails received", len(mails))
}
