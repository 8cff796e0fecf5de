package app

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"kimibv/models/calls"
	"kimibv/models/rules"
)

// callICS answers the call's deadlines as an iCalendar file (RFC 5545): times in UTC
// ("Z", so no VTIMEZONE is needed), CRLF line ends, escaped texts, folded lines.
func (a *App) callICS(c echo.Context) error {
	v, err := calls.PublicCall(c.Request().Context(), a.db, c.Param("id"))
	if err != nil {
		return err
	}
	host := strings.TrimPrefix(strings.TrimPrefix(a.cfg.BaseURL, "https://"), "http://")
	link := a.cfg.BaseURL + "/ausschreibungen/" + v.Call.Ref
	stamp := a.now()
	if v.Call.PublishedAt != nil {
		stamp = *v.Call.PublishedAt
	}
	tl := v.Content.Timeline
	events := []struct {
		kind, summary string
		at            time.Time
	}{
		{"fragen", "Ende der Fragefrist", tl.QuestionsUntil},
		{"frist", "Frist für Interessenbekundungen", tl.Deadline},
		{"oeffnung", "Geplante Öffnung der Interessenbekundungen", tl.PlannedOpening},
		{"entscheidung", "Geplante Entscheidung", tl.PlannedDecision},
	}
	var b strings.Builder
	line := func(s string) { b.WriteString(icsFold(s)) }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//kimibv//Ausschreibungen//DE")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	line("X-WR-CALNAME:" + icsEscape(v.Content.Title))
	for _, e := range events {
		if e.at.IsZero() {
			continue
		}
		line("BEGIN:VEVENT")
		line(fmt.Sprintf("UID:%s-%s@%s", v.Call.Ref, e.kind, host))
		line("DTSTAMP:" + icsTime(stamp))
		line("DTSTART:" + icsTime(e.at))
		line("SUMMARY:" + icsEscape(e.summary+": "+v.Content.Title))
		line("DESCRIPTION:" + icsEscape(fmt.Sprintf("%s (%s), %s. Stand: Fassung %d. %s", e.summary, rules.FormatDateTimeZone(e.at),
			v.Call.TenantName, v.Call.CurrentVersion, link)))
		line("URL:" + link)
		line("END:VEVENT")
	}
	if err := a.consultationEvent(c, v.Call.ID, stamp, host, line); err != nil {
		return err
	}
	line("END:VCALENDAR")
	c.Response().Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-termine.ics"`, v.Call.Ref))
	return c.Blob(http.StatusOK, "text/calendar; charset=utf-8", []byte(b.String()))
}

func icsTime(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// icsEscape escapes a TEXT value: backslash, semicolon, comma and line breaks.
func icsEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`).Replace(s)
}

// icsFold ends a content line with CRLF, folding it at 75 octets without splitting a UTF-8 character.
func icsFold(s string) string {
	var b strings.Builder
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		b.WriteString(s[:cut] + "\r\n ")
		s = s[cut:]
		limit = 74 // the leading space counts
	}
	b.WriteString(s + "\r\n")
	return b.String()
}

// atomFeed is an Atom 1.0 document (RFC 4287).
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomAuthor  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Href string `xml:"href,attr"`
	Type string `xml:"type,attr,omitempty"`
}

type atomAuthor struct {
	Name string `xml:"name"`
}

type atomEntry struct {
	ID      string     `xml:"id"`
	Title   string     `xml:"title"`
	Updated string     `xml:"updated"`
	Link    atomLink   `xml:"link"`
	Author  atomAuthor `xml:"author"`
	Summary string     `xml:"summary"`
}

// callFeed answers the Atom feed of new calls, amendments and cancellations, overall or
// for one Kreis (?kreis=slug).
func (a *App) callFeed(c echo.Context) error {
	kreis := c.QueryParam("kreis")
	entries, err := calls.CallFeed(c.Request().Context(), a.db, kreis, 50)
	if err != nil {
		return err
	}
	self := a.cfg.BaseURL + "/ausschreibungen.atom"
	title := "kimibv – Ausschreibungen"
	if kreis != "" {
		self += "?kreis=" + kreis
		title += " (" + kreis + ")"
	}
	feed := atomFeed{ID: self, Title: title, Updated: time.Unix(0, 0).UTC().Format(time.RFC3339),
		Links:  []atomLink{{Rel: "self", Href: self, Type: "application/atom+xml"}, {Rel: "alternate", Href: a.cfg.BaseURL + "/ausschreibungen"}},
		Author: atomAuthor{Name: "kimibv"}}
	for i, e := range entries {
		if i == 0 {
			feed.Updated = e.At.UTC().Format(time.RFC3339)
		}
		href := a.cfg.BaseURL + "/ausschreibungen/" + e.Ref
		entry := atomEntry{ID: fmt.Sprintf("%s#%s-%d", href, e.Kind, e.Version), Updated: e.At.UTC().Format(time.RFC3339),
			Link: atomLink{Rel: "alternate", Href: href}, Author: atomAuthor{Name: e.TenantName}}
		switch e.Kind {
		case "published":
			entry.Title = "Neue Ausschreibung: " + e.Title
			entry.Summary = e.TenantName + " hat eine Ausschreibung veröffentlicht (" + e.Ref + ")."
		case "consultation":
			entry.Link.Href = fmt.Sprintf("%s/beteiligungen/%d", a.cfg.BaseURL, e.Version)
			entry.ID = entry.Link.Href
			entry.Title = "In Beteiligung: " + e.Title
			entry.Summary = e.TenantName + " stellt den Entwurf dieser Ausschreibung zur Stellungnahme, " + e.Reason + "."
		case "amended":
			entry.Title = fmt.Sprintf("Änderung (Fassung %d): %s", e.Version, e.Title)
			entry.Summary = "Grund der Änderung: " + e.Reason
		default:
			entry.Title = "Aufgehoben: " + e.Title
			entry.Summary = "Grund der Aufhebung: " + e.Reason
		}
		feed.Entries = append(feed.Entries, entry)
	}
	out, err := xml.MarshalIndent(feed, "", "  ")
	if err != nil {
		return fmt.Errorf("encode feed: %w", err)
	}
	return c.Blob(http.StatusOK, "application/atom+xml; charset=utf-8", append([]byte(xml.Header), out...))
}
