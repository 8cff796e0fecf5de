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
	return a.orgProofUpload(c, d, "datei", "Nur die Administration Ihrer Organisation kann Verwendungsnachweise einreichen.",
		func(v *vault.Vault, s core.OrgCallScope, values url.Values, filename string, file io.Reader) error {
			_, err := forwarding.SubmitProof(c.Request().Context(), a.db, v, actor(c), s, proofInput(d, values, filename, file, a.cfg.MaxFileBytes))
			return err
		}, "#nachweise", "Ihr Verwendungsnachweis ist eingegangen. Die Verfahrensleitung prüft ihn.")
}

// orgProofUpload runs act on the upload form of the contract page d whose file is field,
// for an administrator of the organisation (other members: 403 with refused); the file
// streams from the request. Refused input shows the page again with the messages;
// afterwards the provider returns to the page at anchor with the message done.
func (a *App) orgProofUpload(c echo.Context, d orgForwardingPage, field, refused string,
	act func(v *vault.Vault, s core.OrgCallScope, values url.Values, filename string, file io.Reader) error, anchor, done string) error {
	if !d.Admin {
		return &echo.HTTPError{Code: http.StatusForbidden, Message: refused}
	}
	v, err := a.vault()
	if err != nil {
		return err
	}
	s := core.OrgCallScope{Org: d.Org.ID, Call: d.Contract.CallID}
	values, err := a.readUpload(c, field, a.cfg.MaxFileBytes, func(values url.Values, filename string, file io.Reader) error {
		return act(v, s, values, filename, file)
	})
	if _, ok := core.AsValidation(err); ok {
		return a.invalid(c, "forwarding_org", d.Contract.Terms.FormLabel()+" – "+d.Contract.Terms.CallRef, d, values, err)
	}
	if err != nil {
		return err
	}
	return a.redirect(c, d.Base+anchor, done)
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
// the lead's check, for an administrator of the organisation.
func (a *App) replaceProofFile(c echo.Context) error {
	d, err := a.loadOrgForwarding(c)
	if err != nil {
		return err
	}
	id, err := pathID(c, "proof")
	if err != nil {
		return err
	}
	field := d.ProofFileField(id)
	return a.orgProofUpload(c, d, field, "Nur die Administration Ihrer Organisation kann Belege ersetzen.",
		func(v *vault.Vault, s core.OrgCallScope, _ url.Values, filename string, file io.Reader) error {
			return forwarding.ReplaceProofFile(c.Request().Context(), a.db, v, actor(c), s, id,
				forwarding.ProofFileInput{Field: field, FileName: filename, File: file, MaxBytes: a.cfg.MaxFileBytes})
		}, fmt.Sprintf("#belege-%d", id), "Die Belege sind gespeichert. Die Verfahrensleitung wurde benachrichtigt.")
}
