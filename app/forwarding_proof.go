package app

import (
	"io"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"kimibv/models/core"
	"kimibv/models/forwarding"
	"kimibv/models/rules"
)

// OpenYears are the contract's Förderjahre without a Verwendungsnachweis yet.
func (p orgForwardingPage) OpenYears() []forwarding.ProofYear {
	var out []forwarding.ProofYear
	for _, y := range p.Contract.ProofYears() {
		if y.Proof == nil {
			out = append(out, y)
		}
	}
	return out
}

// proofInput builds the use case input from the streamed form.
func proofInput(p orgForwardingPage, values url.Values, filename string, file io.Reader, maxBytes int64) forwarding.ProofInput {
	in := forwarding.ProofInput{Year: values.Get("year"), Report: values.Get("report"), Other: values.Get("other"), Received: values.Get("received"),
		Personnel: map[string]string{}, FileName: filename, File: file, MaxBytes: maxBytes}
	for _, o := range p.PostOptions() {
		in.Personnel[o.Value] = values.Get("personnel_" + o.Value)
	}
	return in
}

// submitProof records a Verwendungsnachweis of an administrator of the organisation; the
// optional PDF streams from the request into the vault.
func (a *App) submitProof(c echo.Context) error {
	d, err := a.loadOrgForwarding(c)
	if err != nil {
		return err
	}
	if !d.Admin {
		return &echo.HTTPError{Code: http.StatusForbidden, Message: "Nur die Administration Ihrer Organisation kann Verwendungsnachweise einreichen."}
	}
	v, err := a.vault()
	if err != nil {
		return err
	}
	s := core.OrgCallScope{Org: d.Org.ID, Call: d.Contract.CallID}
	values, err := a.readUpload(c, "datei", a.cfg.MaxFileBytes, func(values url.Values, filename string, file io.Reader) error {
		_, err := forwarding.SubmitProof(c.Request().Context(), a.db, v, actor(c), s, proofInput(d, values, filename, file, a.cfg.MaxFileBytes))
		return err
	})
	if _, ok := core.AsValidation(err); ok {
		return a.invalid(c, "forwarding_org", d.Contract.Terms.FormLabel()+" – "+d.Contract.Terms.CallRef, d, values, err)
	}
	if err != nil {
		return err
	}
	return a.redirect(c, d.Base+"#nachweise", "Ihr Verwendungsnachweis ist eingegangen. Die Verfahrensleitung prüft ihn.")
}

// checkProof records the lead's check of a Verwendungsnachweis.
func (a *App) checkProof(c echo.Context) error {
	return a.leadForwardingAct(c, "proof", func(s core.CallScope, id int64) error {
		return forwarding.CheckProof(c.Request().Context(), a.db, actor(c), s, id, c.FormValue("result"), c.FormValue("reason"), a.now())
	}, func() string {
		if c.FormValue("result") == rules.ProofRepayment {
			return "Die Prüfung ist festgehalten; der Träger wurde über den zurückzuzahlenden Betrag benachrichtigt."
		}
		return "Die Prüfung ist festgehalten; der Träger wurde benachrichtigt."
	})
}

// proofFile sends the PDF of a Verwendungsnachweis to the lead.
func (a *App) proofFile(c echo.Context) error {
	v, err := a.vault()
	if err != nil {
		return err
	}
	s, err := leadScope(c)
	if err != nil {
		return err
	}
	id, err := pathID(c, "proof")
	if err != nil {
		return err
	}
	r, f, err := forwarding.OpenProofFile(c.Request().Context(), a.db, v, actor(c), s, id)
	if err != nil {
		return err
	}
	defer r.Close()
	return a.sendFile(c, f, r)
}
