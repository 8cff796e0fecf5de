package app

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"kimibv/models/core"
	"kimibv/models/forwarding"
	"kimibv/models/rules"
	"kimibv/models/vault"
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

// proofFile sends the current PDF of a Verwendungsnachweis to the lead.
func (a *App) proofFile(c echo.Context) error {
	s, err := leadScope(c)
	if err != nil {
		return err
	}
	return a.sendProofFile(c, func(v *vault.Vault, id int64) (io.ReadCloser, vault.File, error) {
		return forwarding.OpenProofFile(c.Request().Context(), a.db, v, actor(c), s, id)
	})
}

// ownProofFile sends the current PDF of one of its Verwendungsnachweise to a member of
// the organisation.
func (a *App) ownProofFile(c echo.Context) error {
	s, err := orgScope(c)
	if err != nil {
		return err
	}
	return a.sendProofFile(c, func(v *vault.Vault, id int64) (io.ReadCloser, vault.File, error) {
		return forwarding.OpenOwnProofFile(c.Request().Context(), a.db, v, actor(c), s, id)
	})
}

// sendProofFile sends the PDF of the proof :proof that open finds in its scope.
func (a *App) sendProofFile(c echo.Context, open func(v *vault.Vault, id int64) (io.ReadCloser, vault.File, error)) error {
	v, err := a.vault()
	if err != nil {
		return err
	}
	id, err := pathID(c, "proof")
	if err != nil {
		return err
	}
	r, f, err := open(v, id)
	if err != nil {
		return err
	}
	defer r.Close()
	return a.sendFile(c, f, r)
}

// ProofFileField names the upload field of the form that replaces proof id's PDF (one
// form per proof on the page, so one field name each).
func (orgForwardingPage) ProofFileField(id int64) string {
	return "belege_" + strconv.FormatInt(id, 10)
}

// replaceProofFile replaces (or adds) the PDF of receipts of a Verwendungsnachweis before
// the lead's check, for an administrator of the organisation; the PDF streams from the
// request into the vault.
func (a *App) replaceProofFile(c echo.Context) error {
	d, err := a.loadOrgForwarding(c)
	if err != nil {
		return err
	}
	id, err := pathID(c, "proof")
	if err != nil {
		return err
	}
	if !d.Admin {
		return &echo.HTTPError{Code: http.StatusForbidden, Message: "Nur die Administration Ihrer Organisation kann Belege ersetzen."}
	}
	v, err := a.vault()
	if err != nil {
		return err
	}
	s := core.OrgCallScope{Org: d.Org.ID, Call: d.Contract.CallID}
	field := d.ProofFileField(id)
	values, err := a.readUpload(c, field, a.cfg.MaxFileBytes, func(_ url.Values, filename string, file io.Reader) error {
		return forwarding.ReplaceProofFile(c.Request().Context(), a.db, v, actor(c), s, id,
			forwarding.ProofFileInput{Field: field, FileName: filename, File: file, MaxBytes: a.cfg.MaxFileBytes})
	})
	if _, ok := core.AsValidation(err); ok {
		return a.invalid(c, "forwarding_org", d.Contract.Terms.FormLabel()+" – "+d.Contract.Terms.CallRef, d, values, err)
	}
	if err != nil {
		return err
	}
	return a.redirect(c, fmt.Sprintf("%s#belege-%d", d.Base, id), "Die Belege sind gespeichert. Die Verfahrensleitung wurde benachrichtigt.")
}
