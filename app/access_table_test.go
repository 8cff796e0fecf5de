package app_test

import (
	"slices"
	"strings"
)

// Outcomes of one request in the access matrix.
const (
	ok    = "ok"    // 2xx, or 3xx to a page other than the login
	login = "login" // 303 to /anmelden
	nf    = "404"
	forb  = "403"
	confl = "409"
)

// Actor sets.
var (
	allActors   = []string{"anon", "prov_other", "prov_bid", "lead", "opener", "eval_tied", "eval", "council", "tadmin", "bh_lead", "bh_opener", "bh_eval", "bh_council", "operator"}
	kreisActors = []string{"lead", "opener", "eval_tied", "eval", "council", "tadmin"}
	bhActors    = []string{"bh_lead", "bh_opener", "bh_eval", "bh_council"}
	evaluators  = []string{"eval_tied", "eval"}
	procStates  = []string{"open", "closed", "opened", "consolidated", "decided", "notified", "awarded"}
)

// access is the expectation for one route: who may use it and, per state, what the
// permitted actors get (default ok). Everybody else gets login (anonymous) or 404.
type access struct {
	public bool              // every actor, anonymous too
	allow  []string          // permitted actors (musterland's :kreis, AWO's :org)
	bhMay  []string          // Beispielhausen actors permitted on their own :kreis (cross variant)
	states map[string]string // state → outcome for the permitted actors where not ok
	per    map[string]string // "state/actor" → outcome overriding everything else
	post   bool              // a POST: only the denials are exercised
	fixed  string            // outcome for every actor (token routes with an invalid token)
}

func pub() access { return access{public: true} }
func logged() access {
	return access{allow: append([]string{}, allActors[1:]...), bhMay: bhActors}
}
func who(actors ...string) access { return access{allow: actors} }

// kreis is a Kreis-level route (no procedure in the path): Beispielhausen's holders of the
// same role may use their own Kreis's page.
func kreis(roles ...string) access {
	a := access{}
	for _, r := range roles {
		switch r {
		case "lead":
			a.allow, a.bhMay = append(a.allow, "lead"), append(a.bhMay, "bh_lead")
		case "tadmin":
			a.allow, a.bhMay = append(a.allow, "tadmin"), append(a.bhMay, "bh_lead")
		case "opener":
			a.allow, a.bhMay = append(a.allow, "opener"), append(a.bhMay, "bh_opener")
		case "eval":
			a.allow, a.bhMay = append(a.allow, evaluators...), append(a.bhMay, "bh_eval")
		case "council":
			a.allow, a.bhMay = append(a.allow, "council"), append(a.bhMay, "bh_council")
		}
	}
	return a
}

func (a access) in(states map[string]string) access { a.states = states; return a }
func (a access) with(per map[string]string) access  { a.per = per; return a }
func (a access) asPost() access                     { a.post = true; return a }

// sealedUntilOpened: the Kreis sees no bid before two openers confirmed (ErrSealed).
var sealedUntilOpened = map[string]string{"open": forb, "closed": forb}

// allStates gives every procedure state the same outcome.
func allStates(o string) map[string]string {
	m := map[string]string{}
	for _, s := range procStates {
		m[s] = o
	}
	return m
}

// untilConsolidated gives the states before the closed consolidation (and those in also)
// outcome o.
func untilConsolidated(o string, also ...string) map[string]string {
	m := map[string]string{"open": o, "closed": o, "opened": o}
	for _, s := range also {
		m[s] = o
	}
	return m
}

// fromState gives state and every later one outcome o.
func fromState(state, o string) map[string]string {
	m := map[string]string{}
	for _, s := range procStates[slices.Index(procStates, state):] {
		m[s] = o
	}
	return m
}

// orgAny/orgAdmin: AWO's member (its only user is its administrator).
var orgAny = who("prov_bid")

// accessTable is the expectation for every route; a route missing here fails the test.
func accessTable() map[string]access {
	lead := kreis("lead")
	post := func(a access) access { return a.asPost() }
	return map[string]access{
		"GET /healthz": pub(), "GET /readyz": pub(), "GET /static/*": pub(), "GET /favicon.ico": pub(),
		"GET /": pub(), "GET /impressum": pub(), "GET /datenschutz": pub(), "GET /barrierefreiheit": pub(),
		"GET /anmelden": pub(), "POST /anmelden": post(pub()), "POST /abmelden": post(pub()),
		"POST /anmelden/sso/:kreis": post(pub()), "GET /anmelden/sso/rueckkehr": {fixed: "400"}, // no sign-on started by this browser

		"GET /anmelden/zweiter-faktor": logged(), "POST /anmelden/zweiter-faktor": post(logged()),
		"GET /anmelden/bestaetigen": logged(), "POST /anmelden/bestaetigen": post(logged()),
		"GET /konto/zweiter-faktor": logged(), "POST /konto/zweiter-faktor": post(logged()),
		"GET /konto/zweiter-faktor/qr.png": logged().in(allStates(nf)), "POST /konto/zweiter-faktor/bestaetigen": post(logged()),
		"GET /arbeitsbereich": logged(), "GET /konto": logged(), "GET /konto/passwort": logged(), "POST /konto/passwort": post(logged()),
		"POST /konto/anmeldungen/:session/beenden": post(logged()),
		"GET /passwort-vergessen":                  pub(), "POST /passwort-vergessen": post(pub()),
		"GET /passwort-zuruecksetzen/:token": {fixed: nf}, "POST /passwort-zuruecksetzen/:token": post(pub()),
		"GET /registrieren": pub(), "POST /registrieren": post(pub()),
		"GET /registrieren/bestaetigen/:token": {fixed: nf}, "POST /registrieren/bestaetigen/:token": post(pub()),
		"GET /einladung/:token": {fixed: nf}, "POST /einladung/:token": post(pub()),
		"GET /traeger/:org": orgAny, "GET /traeger/:org/profil": orgAny, "POST /traeger/:org/profil": post(orgAny),
		"GET /traeger/:org/mitglieder": orgAny, "POST /traeger/:org/mitglieder/einladen": post(orgAny),
		"POST /traeger/:org/mitglieder/:user/rolle": post(orgAny), "POST /traeger/:org/zweiter-faktor": post(orgAny),
		"POST /verwaltung/:kreis/einstellungen/zweiter-faktor": post(kreis("tadmin")), "POST /traeger/:org/mitglieder/:user/entfernen": post(orgAny),
		"POST /traeger/:org/mitglieder/einladungen/:inv/zurueckziehen": post(orgAny),

		"GET /betrieb": who("operator"), "POST /betrieb/kreise": post(who("operator")), "POST /betrieb/zweiter-faktor": post(who("operator")),
		"POST /verwaltung/:kreis/nutzer/:user/zweiter-faktor": post(who("tadmin")),
		"GET /betrieb/organisationen":                         who("operator"), "GET /betrieb/organisationen/:org/sperren": who("operator"),
		"POST /betrieb/organisationen/:org/sperren": post(who("operator")), "POST /betrieb/organisationen/:org/entsperren": post(who("operator")),
		"GET /betrieb/nutzer": who("operator"), "GET /betrieb/nutzer/:user/sperren": who("operator"),
		"POST /betrieb/nutzer/:user/sperren": post(who("operator")), "POST /betrieb/nutzer/:user/entsperren": post(who("operator")),
		"GET /betrieb/postausgang": who("operator"), "POST /betrieb/postausgang/:mail/erneut": post(who("operator")),
		"GET /verwaltung/:kreis":                                 kreis("lead", "opener", "eval", "council", "tadmin"),
		"GET /verwaltung/:kreis/nutzer":                          kreis("tadmin"),
		"POST /verwaltung/:kreis/einladungen":                    post(kreis("tadmin")),
		"POST /verwaltung/:kreis/einladungen/:inv/zurueckziehen": post(kreis("tadmin")),
		"GET /verwaltung/:kreis/nutzer/:user":                    who("tadmin"),
		"POST /verwaltung/:kreis/nutzer/:user":                   post(who("tadmin")),
		"GET /verwaltung/:kreis/einstellungen":                   kreis("tadmin"), "POST /verwaltung/:kreis/einstellungen": post(kreis("tadmin")),
		"GET /verwaltung/:kreis/anmeldung": kreis("tadmin"), "POST /verwaltung/:kreis/anmeldung": post(kreis("tadmin")),
		"GET /verwaltung/:kreis/protokoll":     kreis("tadmin", "lead"),
		"GET /verwaltung/:kreis/protokoll.csv": kreis("tadmin", "lead"), "GET /verwaltung/:kreis/protokoll.pdf": kreis("tadmin", "lead"),
		// The year summary of the forwarding (rules.md R39): the Kreis's first contract is issued
		// after the final award; before it, no year has a summary.
		"GET /verwaltung/:kreis/weiterleitung":                             kreis("tadmin", "lead"),
		"GET /verwaltung/:kreis/weiterleitung/:jahr":                       who("tadmin", "lead").in(untilAwarded(nf)),
		"GET /verwaltung/:kreis/weiterleitung/:jahr/jahresuebersicht.pdf":  who("tadmin", "lead").in(untilAwarded(nf)),
		"GET /verwaltung/:kreis/weiterleitung/:jahr/jahresuebersicht.xlsx": who("tadmin", "lead").in(untilAwarded(nf)),

		"GET /ausschreibungen": pub(), "GET /ausschreibungen.atom": pub(), "GET /ausschreibungen/:id": pub(),
		"GET /ausschreibungen/:id/termine.ics": pub(),
		"GET /verwaltung/:kreis/verfahren":     lead, "POST /verwaltung/:kreis/verfahren": post(lead),
		"GET /verwaltung/:kreis/verfahren/:call": who("lead"), "POST /verwaltung/:kreis/verfahren/:call": post(who("lead")),
		"GET /verwaltung/:kreis/verfahren/:call/vorschau":          who("lead"),
		"GET /verwaltung/:kreis/verfahren/:call/entwurf/:schritt":  who("lead"),
		"POST /verwaltung/:kreis/verfahren/:call/entwurf/:schritt": post(who("lead")),
		"GET /verwaltung/:kreis/verfahren/:call/veroeffentlichen":  who("lead").in(allStates(confl)),
		"POST /verwaltung/:kreis/verfahren/:call/veroeffentlichen": post(who("lead")),

		"GET /ausschreibungen/:id/fragen": pub(), "POST /ausschreibungen/:id/fragen": post(logged()),
		// The Beteiligung (rules.md R31): public reads; statements by any logged-in user (the use case admits
		// only members of invited organisations); the lead's page in every state (after publication it says so).
		"GET /beteiligungen/:consultation": pub(), "GET /beteiligungen/:consultation/entwurf.pdf": pub(),
		"GET /beteiligungen/:consultation/abwaegung.pdf": pub(), "POST /beteiligungen/:consultation/stellungnahmen": post(logged()),
		"GET /beteiligungen/:consultation/stellungnahmen/:st/anhang.pdf":         pub(),
		"GET /verwaltung/:kreis/verfahren/:call/beteiligung":                     who("lead"),
		"POST /verwaltung/:kreis/verfahren/:call/beteiligung":                    post(who("lead")),
		"POST /verwaltung/:kreis/verfahren/:call/beteiligung/stellungnahmen/:st": post(who("lead")),
		"POST /verwaltung/:kreis/verfahren/:call/beteiligung/abwaegung":          post(who("lead")),
		"POST /ausschreibungen/:id/folgen":                                       post(logged()), "POST /ausschreibungen/:id/entfolgen": post(logged()),
		"GET /ausschreibungen/:id/fassungen": pub(), "GET /ausschreibungen/:id/fassungen/:a/:b": pub(),
		"GET /traeger/:org/postfach": orgAny, "GET /traeger/:org/postfach/:id": orgAny,
		"POST /traeger/:org/postfach/gelesen": orgAny, "POST /traeger/:org/postfach/:id/gelesen": orgAny,
		"GET /verwaltung/:kreis/verfahren/:call/fragen":              who("lead"),
		"GET /verwaltung/:kreis/verfahren/:call/fragen/:q":           who("lead"),
		"POST /verwaltung/:kreis/verfahren/:call/fragen/:q/antwort":  post(who("lead")),
		"POST /verwaltung/:kreis/verfahren/:call/fragen/:q/zuordnen": post(who("lead")),
		"GET /verwaltung/:kreis/verfahren/:call/aenderung":           who("lead").in(fromState("closed", confl)),
		"POST /verwaltung/:kreis/verfahren/:call/aenderung":          post(who("lead")),
		// Cancellable in every state before the final award (rules.md R22; 0422c8e).
		"GET /verwaltung/:kreis/verfahren/:call/aufhebung":  who("lead").in(fromState("awarded", confl)),
		"POST /verwaltung/:kreis/verfahren/:call/aufhebung": post(who("lead")),

		"GET /traeger/:org/dokumente": orgAny, "POST /traeger/:org/dokumente": post(orgAny),
		"GET /traeger/:org/dokumente/:doc/datei.pdf": orgAny, "GET /traeger/:org/dokumente/:doc/ersetzen": orgAny,
		"POST /traeger/:org/dokumente/:doc/ersetzen": post(orgAny), "POST /traeger/:org/dokumente/:doc/loeschen": post(orgAny),
		"GET /dokumentenpruefung": pub(), "POST /dokumentenpruefung": post(pub()),
		"GET /ausschreibungen/:id/bekanntmachung.pdf": pub(),

		"GET /traeger/:org/bewerbungen": orgAny, "POST /traeger/:org/bewerbungen": post(orgAny),
		"GET /traeger/:org/bewerbungen/:bid": orgAny, "GET /traeger/:org/bewerbungen/:bid/pruefen": orgAny,
		"POST /traeger/:org/bewerbungen/:bid/einreichen": post(orgAny), "POST /traeger/:org/bewerbungen/:bid/zurueckziehen": post(orgAny),
		"GET /traeger/:org/bewerbungen/:bid/fassungen/:v": orgAny, "GET /traeger/:org/bewerbungen/:bid/dateien/:file": orgAny,
		"POST /traeger/:org/bewerbungen/:bid/unterlagen/:key":           post(orgAny),
		"POST /traeger/:org/bewerbungen/:bid/unterlagen/:key/mappe":     post(orgAny),
		"POST /traeger/:org/bewerbungen/:bid/unterlagen/:key/entfernen": post(orgAny),
		"GET /traeger/:org/bewerbungen/:bid/:step":                      orgAny,
		"POST /traeger/:org/bewerbungen/:bid/:step":                     post(orgAny),

		"GET /verwaltung/:kreis/oeffnungen":                                      kreis("opener"),
		"GET /verwaltung/:kreis/verfahren/:call/oeffnung":                        who("opener", "lead"),
		"POST /verwaltung/:kreis/verfahren/:call/oeffnung":                       post(who("opener")),
		"GET /verwaltung/:kreis/verfahren/:call/pruefung":                        who("lead").in(sealedUntilOpened),
		"GET /verwaltung/:kreis/verfahren/:call/pruefung/:bid":                   who("lead").in(sealedUntilOpened),
		"POST /verwaltung/:kreis/verfahren/:call/pruefung/:bid":                  post(who("lead")),
		"POST /verwaltung/:kreis/verfahren/:call/pruefung/:bid/nachforderung":    post(who("lead")),
		"POST /verwaltung/:kreis/verfahren/:call/pruefung/:bid/korrektur":        post(who("lead")),
		"GET /verwaltung/:kreis/verfahren/:call/pruefung/:bid/dateien/:key":      who("lead").in(sealedUntilOpened),
		"GET /verwaltung/:kreis/verfahren/:call/pruefung/:bid/antworten/:answer": who("lead").in(map[string]string{"open": forb, "closed": forb}).with(map[string]string{"*/lead": nf}),
		"GET /verwaltung/:kreis/verfahren/:call/gremium":                         who("lead").in(sealedUntilOpened),
		"POST /verwaltung/:kreis/verfahren/:call/gremium":                        post(who("lead")),
		"GET /verwaltung/:kreis/bewertung":                                       kreis("eval"),
		"GET /verwaltung/:kreis/bewertung/:call":                                 who(evaluators...).in(sealedUntilOpened),
		"GET /verwaltung/:kreis/bewertung/:call/erklaerung":                      who(evaluators...).in(sealedUntilOpened),
		"POST /verwaltung/:kreis/bewertung/:call/erklaerung":                     post(who(evaluators...)),
		// The tied evaluator never sees the bid (COI); the others only after the opening.
		"GET /verwaltung/:kreis/bewertung/:call/:bid": who(evaluators...).in(sealedUntilOpened).
			with(map[string]string{"*/eval_tied": nf}),
		"POST /verwaltung/:kreis/bewertung/:call/:bid": post(who(evaluators...)),
		"GET /verwaltung/:kreis/bewertung/:call/:bid/dateien/:key": who(evaluators...).in(sealedUntilOpened).
			with(map[string]string{"*/eval_tied": nf}),
		"GET /traeger/:org/bewerbungen/:bid/nachforderung":       orgAny.in(map[string]string{"open": nf, "closed": nf}),
		"POST /traeger/:org/bewerbungen/:bid/nachforderung/:req": post(orgAny),

		"GET /verwaltung/:kreis/verfahren/:call/konsolidierung":               who("lead").in(sealedUntilOpened),
		"POST /verwaltung/:kreis/verfahren/:call/konsolidierung/abschliessen": post(who("lead")),
		"GET /verwaltung/:kreis/verfahren/:call/konsolidierung/:bid":          who("lead").in(sealedUntilOpened),
		"POST /verwaltung/:kreis/verfahren/:call/konsolidierung/:bid":         post(who("lead")),
		"GET /verwaltung/:kreis/verfahren/:call/ergebnis":                     who("lead").in(sealedUntilOpened),
		"GET /verwaltung/:kreis/verfahren/:call/bewertungsmatrix.xlsx":        who("lead").in(sealedUntilOpened),

		// Decision, notices, objections. :obj and the notice :id are unknown ids
		// until a decided state exists.
		"GET /verwaltung/:kreis/verfahren/:call/entscheidung":                    who("lead").in(untilConsolidated(confl)),
		"GET /verwaltung/:kreis/verfahren/:call/entscheidung/vorschlag":          who("lead").in(untilConsolidated(confl)),
		"POST /verwaltung/:kreis/verfahren/:call/entscheidung/vorschlag":         post(who("lead")),
		"POST /verwaltung/:kreis/verfahren/:call/entscheidung/beschluss":         post(who("lead")),
		"POST /verwaltung/:kreis/verfahren/:call/entscheidung/mitteilungen":      post(who("lead")),
		"GET /verwaltung/:kreis/verfahren/:call/entscheidung/ruegen/:obj":        who("lead").in(map[string]string{"open": confl, "closed": confl, "opened": confl, "consolidated": nf, "decided": nf, "notified": nf, "awarded": nf}),
		"POST /verwaltung/:kreis/verfahren/:call/entscheidung/ruegen/:obj":       post(who("lead")),
		"GET /verwaltung/:kreis/verfahren/:call/entscheidung/rueckverweisung":    who("lead").in(untilConsolidated(confl)),
		"POST /verwaltung/:kreis/verfahren/:call/entscheidung/rueckverweisung":   post(who("lead")),
		"GET /verwaltung/:kreis/verfahren/:call/entscheidung/vergabevermerk.pdf": who("lead").in(untilConsolidated(nf, "consolidated")),
		"GET /traeger/:org/mitteilungen":                                         orgAny,
		"GET /traeger/:org/mitteilungen/:id":                                     orgAny.in(untilConsolidated(nf, "consolidated", "decided")),
		"POST /traeger/:org/mitteilungen/:id/ruege":                              post(orgAny),
		"GET /traeger/:org/mitteilungen/:id/mitteilung.pdf":                      orgAny.in(untilConsolidated(nf, "consolidated", "decided")),
		"GET /verwaltung/:kreis/postausgang":                                     kreis("tadmin"),
		"POST /verwaltung/:kreis/postausgang/:mail/erneut":                       post(who("tadmin")),

		// Issued documents, award record, Vergabeakte, council. The matrix's call is
		// never awarded, so its public award record does not exist.
		"GET /traeger/:org/bewerbungen/:bid/fassungen/:v/eingangsbestaetigung.pdf": orgAny,
		"GET /traeger/:org/postfach/:id/dokument.pdf":                              orgAny,
		"GET /verwaltung/:kreis/verfahren/:call/oeffnungsprotokoll.pdf":            who("opener", "lead").in(map[string]string{"open": nf, "closed": nf}),
		"GET /verwaltung/:kreis/verfahren/:call/bewertungsmatrix.pdf":              who("lead").in(untilConsolidated(nf)),
		"GET /vergaben": pub(), "GET /vergaben/:id": pub().in(untilConsolidated(nf, "consolidated")),
		"GET /verwaltung/:kreis/verfahren/:call/vergabeakte.zip": who("lead"),
		"GET /kreistag/:kreis":                        kreis("council"),
		"GET /kreistag/:kreis/verfahren/:call":        who("council"),
		"GET /kreistag/:kreis/verfahren/:call/anhang": who("council").in(allStates(nf)),
		// Like the annex: only after a declaration without any tie, which the matrix's council member never gives.
		"GET /kreistag/:kreis/verfahren/:call/vergabevermerk.pdf": who("council").in(allStates(nf)),
		"GET /kreistag/:kreis/verfahren/:call/protokoll":          who("council").in(map[string]string{"open": nf, "closed": nf}),
		"POST /kreistag/:kreis/verfahren/:call/erklaerung":        post(who("council")),
		// Council information (council_info.go): reports, questions, the distribution record.
		"GET /kreistag/:kreis/verfahren/:call/sachstand":                                   who("council"),
		"POST /kreistag/:kreis/verfahren/:call/sachstand/anfragen":                         post(who("council")),
		"POST /kreistag/:kreis/verfahren/:call/sachstand/:dist/gelesen":                    post(who("council")),
		"GET /kreistag/:kreis/verfahren/:call/sachstand/berichte/:report/bericht.pdf":      who("council"),
		"GET /kreistag/:kreis/verfahren/:call/sachstand/berichte/:report/anlagen/:anlage":  who("council"),
		"GET /verwaltung/:kreis/verfahren/:call/kreistag/berichte/:report/anlagen/:anlage": who("lead"),
		"POST /verwaltung/:kreis/verfahren/:call/kreistag/anlagen":                         post(who("lead")),
		"GET /verwaltung/:kreis/verfahren/:call/kreistag":                                  who("lead"),
		"POST /verwaltung/:kreis/verfahren/:call/kreistag/berichte":                        post(who("lead")),
		"GET /verwaltung/:kreis/verfahren/:call/kreistag/berichte/:report/bericht.pdf":     who("lead"),
		"POST /verwaltung/:kreis/verfahren/:call/kreistag/anfragen/:q/antwort":             post(who("lead")),
		"GET /verwaltung/:kreis/kreistag":                                                  kreis("tadmin"),
		"POST /verwaltung/:kreis/kreistag/fraktionen":                                      post(kreis("tadmin")),
		"POST /verwaltung/:kreis/kreistag/mitglieder/:user":                                post(who("tadmin")),
		"POST /verwaltung/:kreis/kreistag/oparl":                                           post(kreis("tadmin")),
		"POST /verwaltung/:kreis/verfahren/:call/kreistag/beschluss":                       post(who("lead")),

		"GET /ocds/releases.json": pub(), "GET /ocds/:id/releases.json": pub(),

		// After the award: the matrix issues AWO's contract when the award becomes final.
		"GET /traeger/:org/weiterleitung": orgAny, "GET /traeger/:org/weiterleitung/:call": orgAny.in(untilAwarded(nf)),
		"GET /traeger/:org/weiterleitung/:call/vertrag.pdf": orgAny.in(untilAwarded(nf)),
		"POST /traeger/:org/weiterleitung/:call/annahme":    post(orgAny), "POST /traeger/:org/weiterleitung/:call/stellen": post(orgAny),
		"POST /traeger/:org/weiterleitung/:call/abrufe":                                    post(orgAny),
		"POST /traeger/:org/weiterleitung/:call/nachweise":                                 post(orgAny),
		"GET /traeger/:org/weiterleitung/:call/nachweise/:proof/belege.pdf":                orgAny.in(allStates(nf)),
		"POST /traeger/:org/weiterleitung/:call/nachweise/:proof/belege":                   post(orgAny),
		"POST /verwaltung/:kreis/verfahren/:call/weiterleitung/nachweise/:proof":           post(who("lead")),
		"GET /verwaltung/:kreis/verfahren/:call/weiterleitung/nachweise/:proof/belege.pdf": who("lead").in(allStates(nf)),
		"GET /verwaltung/:kreis/verfahren/:call/weiterleitung":                             who("lead").in(untilAwarded(confl)),
		"POST /verwaltung/:kreis/verfahren/:call/weiterleitung/traeger/:org":               post(who("lead")),
		"POST /verwaltung/:kreis/verfahren/:call/weiterleitung/abrufe/:draw":               post(who("lead")),
		"POST /verwaltung/:kreis/verfahren/:call/weiterleitung/abrufe/:draw/zahlung":       post(who("lead")),
	}
}

// forbiddenMarkers are texts an actor's answer must never contain in a state: the bid's
// content and its provider's name are sealed until the opening and never reach other
// providers or the public; another evaluator's reasons stay hidden until one's own sheet
// is submitted (gremium3's sheet is submitted in "opened", gremium2's in "consolidated").
func forbiddenMarkers(actor, state, path string) []string {
	const answer, bidder, reasons = "Unsere Antwort zum Kriterium", "Arbeiterwohlfahrt Kreisverband Musterland", "Begründung von gremium3"
	idx := slices.Index(procStates, state)
	opened, public := idx >= slices.Index(procStates, "opened"), idx >= slices.Index(procStates, "decided")
	switch {
	case actor == "prov_bid":
		return []string{reasons}
	case actor == "lead" && opened:
		return nil
	case actor == "lead" && strings.Contains(path, "/fragen"):
		// The lead sees who asked a question (never published); not a bid.
		return []string{answer, reasons}
	case actor == "eval" && opened:
		if state == "opened" {
			return []string{reasons}
		}
		return nil
	case strings.HasPrefix(path, "/beteiligungen/"):
		// A Beteiligung is public and names the organisations invited to and stating on a
		// draft (rules.md R31); it reads no bid (consultation.Public reads its own tables).
		return []string{answer, reasons}
	case actor == "operator" && strings.HasPrefix(path, "/betrieb/organisationen"):
		// The operator's list names every registered organisation, whether or not it bid;
		// the seal crawl checks that a submitted bid changes nothing on it.
		return []string{answer, reasons}
	case actor == "eval_tied" && opened, actor == "opener" && opened:
		// Evaluators declare per bidder and openers record the bidders: names, never content.
		return []string{answer, reasons}
	case public:
		// The resolution is public once taken (decision.AwardRecordStates): the award record
		// names the selected provider, the council reads the complete record.
		return []string{answer}
	}
	return []string{answer, bidder, reasons}
}
