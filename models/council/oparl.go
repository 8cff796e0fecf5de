package council

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"kimibv/models/core"
)

// Resolution is what kimibv keeps of a resolution in the Kreis's council information
// system (OParl 1.0/1.1): the paper (Drucksache), the meeting that dealt with it and the
// agenda item's result and resolution text, with the address of the system's web page.
type Resolution struct {
	URL            string // the OParl address the lead gave
	PaperReference string
	PaperName      string
	PaperDate      string
	MeetingName    string
	MeetingStart   string
	AgendaNumber   string
	AgendaName     string
	Result         string
	ResolutionText string
	WebURL         string
}

// OParlClient fetches OParl objects with a time limit and a size limit per object.
type OParlClient struct {
	HTTP     *http.Client
	Timeout  time.Duration // for the whole fetch of a resolution (up to four objects)
	MaxBytes int64         // per object
}

// NewOParlClient returns a client with the limits kimibv uses: ten seconds, 1 MiB per
// object, redirects only within the same host.
func NewOParlClient() *OParlClient {
	return &OParlClient{Timeout: 10 * time.Second, MaxBytes: 1 << 20, HTTP: &http.Client{
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 3 || req.URL.Host != via[0].URL.Host {
				return errors.New("redirect to another host")
			}
			return nil
		}}}
}

// The German messages of a failed fetch; the lead's entries stay as they are.
const (
	msgOParlHost      = "Diese Adresse gehört nicht zum Ratsinformationssystem des Kreises (%s). Es wurde nichts abgerufen; Ihre eingetragenen Angaben zum Beschluss bleiben unverändert."
	msgOParlNoSystem  = "Der Kreis hat noch kein Ratsinformationssystem (OParl) eingerichtet. Die Kreisverwaltung trägt es unter „Kreistag: Fraktionen und Mitglieder“ ein."
	msgOParlFetch     = "Das Ratsinformationssystem hat nicht rechtzeitig oder nicht verwertbar geantwortet (%s). Ihre eingetragenen Angaben zum Beschluss bleiben unverändert; versuchen Sie es später erneut."
	msgOParlMalformed = "Unter dieser Adresse liegt keine gültige Drucksache und kein gültiger Tagesordnungspunkt nach OParl (%s). Ihre eingetragenen Angaben zum Beschluss bleiben unverändert."
)

// oparlError is a failed fetch as a field error of "oparl_url".
func oparlError(format string, args ...any) error {
	ve := &core.ValidationError{}
	ve.Add("oparl_url", "oparl", fmt.Sprintf(format, args...))
	return ve
}

// CheckOParlSystem validates the address of a Kreis's OParl system ("" clears it).
func CheckOParlSystem(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || len(raw) > 500 {
		ve := &core.ValidationError{}
		ve.Add("oparl_system_url", "invalid", "Bitte geben Sie die vollständige Adresse des OParl-Systems an, zum Beispiel „https://ratsinfo.example.de/oparl/v1/system“.")
		return "", ve
	}
	return u.String(), nil
}

// Fetch reads the resolution behind rawURL, a Paper or an AgendaItem of the system at
// systemURL, following the consultation to the meeting and the agenda item (or back to
// the paper). Every address must be on the system's host. Any failure is a field error of
// "oparl_url" with a German message, and nothing is returned.
func (c *OParlClient) Fetch(ctx context.Context, systemURL, rawURL string) (*Resolution, error) {
	if systemURL == "" {
		return nil, oparlError("%s", msgOParlNoSystem)
	}
	sys, err := url.Parse(systemURL)
	if err != nil {
		return nil, oparlError("%s", msgOParlNoSystem)
	}
	rawURL = strings.TrimSpace(rawURL)
	if u, err := url.Parse(rawURL); err != nil || u.Host != sys.Host || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil {
		return nil, oparlError(msgOParlHost, sys.Host)
	}
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	f := &oparlFetch{c: c, ctx: ctx, host: sys.Host}
	obj, err := f.get(rawURL)
	if err != nil {
		return nil, err
	}
	r := &Resolution{URL: rawURL}
	switch oparlType(obj) {
	case "paper":
		err = f.fromPaper(r, obj)
	case "agendaitem":
		err = f.fromAgendaItem(r, obj)
	default:
		err = oparlError(msgOParlMalformed, "weder Paper noch AgendaItem")
	}
	if err != nil {
		return nil, err
	}
	return r, nil
}

// oparlFetch is one fetch of a resolution.
type oparlFetch struct {
	c    *OParlClient
	ctx  context.Context
	host string
}

// get reads one OParl object from an address on the system's host.
func (f *oparlFetch) get(raw string) (map[string]any, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host != f.host || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, oparlError(msgOParlHost, f.host)
	}
	req, err := http.NewRequestWithContext(f.ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, oparlError(msgOParlFetch, "ungültige Adresse")
	}
	req.Header.Set("Accept", "application/json")
	res, err := f.c.HTTP.Do(req)
	if err != nil {
		return nil, oparlError(msgOParlFetch, "keine Antwort")
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, oparlError(msgOParlFetch, fmt.Sprintf("Status %d", res.StatusCode))
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, f.c.MaxBytes+1))
	if err != nil {
		return nil, oparlError(msgOParlFetch, "Antwort abgebrochen")
	}
	if int64(len(body)) > f.c.MaxBytes {
		return nil, oparlError(msgOParlFetch, "Antwort zu groß")
	}
	var obj map[string]any
	if err := json.Unmarshal(body, &obj); err != nil || obj == nil {
		return nil, oparlError(msgOParlMalformed, "kein JSON-Objekt")
	}
	if _, ok := obj["id"].(string); !ok {
		return nil, oparlError(msgOParlMalformed, "ohne id")
	}
	return obj, nil
}

// oparlType is the object's type without the schema prefix, in lower case ("paper").
func oparlType(obj map[string]any) string {
	t, _ := obj["type"].(string)
	return strings.ToLower(t[strings.LastIndex(t, "/")+1:])
}

// object returns obj[key] as an object: inline, or fetched when it is an address.
func (f *oparlFetch) object(obj map[string]any, key, want string) (map[string]any, error) {
	v := obj[key]
	if list, ok := v.([]any); ok { // Paper.consultation is a list; the first one counts
		if len(list) == 0 {
			return nil, nil
		}
		v = list[0]
	}
	var sub map[string]any
	switch x := v.(type) {
	case nil:
		return nil, nil
	case map[string]any:
		sub = x
	case string:
		var err error
		if sub, err = f.get(x); err != nil {
			return nil, err
		}
	default:
		return nil, oparlError(msgOParlMalformed, key+" hat eine unerwartete Form")
	}
	if oparlType(sub) != want {
		return nil, oparlError(msgOParlMalformed, key+" ist kein "+want)
	}
	return sub, nil
}

// fromPaper fills r from a Paper and its first consultation's meeting and agenda item.
func (f *oparlFetch) fromPaper(r *Resolution, paper map[string]any) error {
	if err := setStrings(paper, map[string]*string{"reference": &r.PaperReference, "name": &r.PaperName, "date": &r.PaperDate, "web": &r.WebURL}); err != nil {
		return err
	}
	if r.PaperName == "" {
		return oparlError(msgOParlMalformed, "Drucksache ohne Namen")
	}
	cons, err := f.object(paper, "consultation", "consultation")
	if err != nil || cons == nil {
		return err
	}
	return f.fromConsultation(r, cons, true)
}

// fromConsultation reads the consultation's meeting and agenda item (withItem).
func (f *oparlFetch) fromConsultation(r *Resolution, cons map[string]any, withItem bool) error {
	meeting, err := f.object(cons, "meeting", "meeting")
	if err != nil {
		return err
	}
	if meeting != nil {
		if err := setStrings(meeting, map[string]*string{"name": &r.MeetingName, "start": &r.MeetingStart}); err != nil {
			return err
		}
	}
	if !withItem {
		return nil
	}
	item, err := f.object(cons, "agendaItem", "agendaitem")
	if err != nil || item == nil {
		return err
	}
	return setAgendaItem(r, item)
}

// fromAgendaItem fills r from an AgendaItem, its meeting and, through its consultation,
// the paper.
func (f *oparlFetch) fromAgendaItem(r *Resolution, item map[string]any) error {
	if err := setAgendaItem(r, item); err != nil {
		return err
	}
	meeting, err := f.object(item, "meeting", "meeting")
	if err != nil {
		return err
	}
	if meeting != nil {
		if err := setStrings(meeting, map[string]*string{"name": &r.MeetingName, "start": &r.MeetingStart}); err != nil {
			return err
		}
	}
	cons, err := f.object(item, "consultation", "consultation")
	if err != nil || cons == nil {
		return err
	}
	paper, err := f.object(cons, "paper", "paper")
	if err != nil || paper == nil {
		return err
	}
	web := r.WebURL
	if err := setStrings(paper, map[string]*string{"reference": &r.PaperReference, "name": &r.PaperName, "date": &r.PaperDate, "web": &r.WebURL}); err != nil {
		return err
	}
	if web != "" {
		r.WebURL = web // the agenda item's own page
	}
	return nil
}

// setAgendaItem reads an agenda item (resolutionText in 1.1, resolution in 1.0).
func setAgendaItem(r *Resolution, item map[string]any) error {
	if err := setStrings(item, map[string]*string{"number": &r.AgendaNumber, "name": &r.AgendaName, "result": &r.Result,
		"resolution": &r.ResolutionText, "web": &r.WebURL}); err != nil {
		return err
	}
	text := ""
	if err := setStrings(item, map[string]*string{"resolutionText": &text}); err != nil {
		return err
	}
	if text != "" {
		r.ResolutionText = text
	}
	return nil
}

// setStrings copies the string properties of obj; a property of another type is malformed.
func setStrings(obj map[string]any, into map[string]*string) error {
	for k, p := range into {
		switch v := obj[k].(type) {
		case nil:
		case string:
			*p = clip(strings.TrimSpace(v), 20000)
		default:
			return oparlError(msgOParlMalformed, k+" ist kein Text")
		}
	}
	if w, ok := into["web"]; ok && *w != "" {
		if u, err := url.Parse(*w); err != nil || (u.Scheme != "https" && u.Scheme != "http") {
			*w = "" // only a web address is linked
		}
	}
	return nil
}

// clip cuts s to at most n characters.
func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
