package app

import (
	"fmt"
	"strconv"

	"github.com/labstack/echo/v4"

	"kimibv/models/accounts"
	"kimibv/models/core"
	"kimibv/models/forwarding"
	"kimibv/models/rules"
)

// orgForwardingPage is a provider's view of its contracts (list) or one contract.
type orgForwardingPage struct {
	Org       *accounts.Organization
	Contracts []*forwarding.Contract
	Contract  *forwarding.Contract
	Admin     bool   // the actor administers the organisation (may accept)
	Base      string // the contract page's address
	PDF       string
	MaxFile   string // the upload limit of the proof's PDF, e.g. "20 MB"
	F         fmtr
}

// orgForwardingList lists the organisation's forwarding contracts.
func (a *App) orgForwardingList(c echo.Context) error {
	o := org(c)
	ks, err := forwarding.OrgContracts(c.Request().Context(), a.db, actor(c), o.ID)
	if err != nil {
		return err
	}
	return a.show(c, "forwarding_list", "Weiterleitung der Mittel – "+o.Name, orgForwardingPage{Org: o, Contracts: ks})
}

// orgScope is the organisation and the :call of the address.
func orgScope(c echo.Context) (core.OrgCallScope, error) {
	id, err := callID(c)
	if err != nil {
		return core.OrgCallScope{}, err
	}
	return core.OrgCallScope{Org: org(c).ID, Call: id}, nil
}

// loadOrgForwarding loads the organisation's contract of :call (404 for none).
func (a *App) loadOrgForwarding(c echo.Context) (orgForwardingPage, error) {
	s, err := orgScope(c)
	if err != nil {
		return orgForwardingPage{}, err
	}
	k, err := forwarding.OrgContract(c.Request().Context(), a.db, actor(c), s)
	if err != nil {
		return orgForwardingPage{}, err
	}
	base := fmt.Sprintf("/traeger/%d/weiterleitung/%d", s.Org, s.Call)
	return orgForwardingPage{Org: org(c), Contract: k, Admin: actor(c).IsOrgAdmin(s.Org), Base: base, PDF: base + "/vertrag.pdf",
		MaxFile: rules.FormatMB(a.cfg.MaxFileBytes)}, nil
}

// orgForwarding shows one contract: terms, acceptance, posts and draw-downs.
func (a *App) orgForwarding(c echo.Context) error {
	d, err := a.loadOrgForwarding(c)
	if err != nil {
		return err
	}
	return a.show(c, "forwarding_org", d.Contract.Terms.FormLabel()+" – "+d.Contract.Terms.CallRef, d)
}

// forwardingPDF sends the contract's PDF to a member of the organisation.
func (a *App) forwardingPDF(c echo.Context) error {
	s, err := orgScope(c)
	if err != nil {
		return err
	}
	doc, err := forwarding.ContractDocument(c.Request().Context(), a.db, actor(c), s)
	if err != nil {
		return err
	}
	return a.sendPDF(c, doc)
}

// acceptForwarding records the acceptance by an administrator of the organisation, after
// the confirmation page.
func (a *App) acceptForwarding(c echo.Context) error {
	d, err := a.loadOrgForwarding(c)
	if err != nil {
		return err
	}
	name := c.FormValue("name")
	title := d.Contract.Terms.FormLabel() + " – " + d.Contract.Terms.CallRef
	if !d.Contract.Accepted() && name != "" {
		act := finalAct{Title: d.Contract.Terms.FormLabel() + " annehmen", Button: "Verbindlich annehmen", Back: d.Base,
			Intro: "Sie nehmen für " + d.Org.Name + " den " + d.Contract.Terms.FormLabel() + " zum Verfahren " + d.Contract.Terms.CallRef + " an.",
			Final: []string{"Die Annahme ist verbindlich; die ANBest-P (Anlage) werden Bestandteil.", "Ihr Name und der Zeitpunkt werden im Prüfprotokoll festgehalten."},
			Rows:  [][2]string{{"Erklärt von", name}}}
		if ask, err := a.askConfirmation(c, act); ask {
			return err
		}
	}
	err = forwarding.AcceptContract(c.Request().Context(), a.db, actor(c), core.OrgCallScope{Org: d.Org.ID, Call: d.Contract.CallID}, name, a.now())
	if _, ok := core.AsValidation(err); ok {
		return a.invalid(c, "forwarding_org", title, d, formValues(c), err)
	}
	if err != nil {
		return err
	}
	return a.redirect(c, d.Base, "Der Vertrag ist angenommen. Sie können jetzt Mittel abrufen.")
}

// reportPost records the state of one post.
func (a *App) reportPost(c echo.Context) error {
	d, err := a.loadOrgForwarding(c)
	if err != nil {
		return err
	}
	lot, no, _ := cutPost(c.FormValue("post"))
	in := forwarding.PostInput{Lot: lot, No: no, State: c.FormValue("state"), FTE: c.FormValue("fte"), Start: c.FormValue("start"),
		VacantSince: c.FormValue("vacant_since"), Planned: c.FormValue("planned"), Qualified: c.FormValue("qualified") != ""}
	err = forwarding.ReportPost(c.Request().Context(), a.db, actor(c), core.OrgCallScope{Org: d.Org.ID, Call: d.Contract.CallID}, in, a.now())
	if _, ok := core.AsValidation(err); ok {
		return a.invalid(c, "forwarding_org", d.Contract.Terms.FormLabel()+" – "+d.Contract.Terms.CallRef, d, formValues(c), err)
	}
	if err != nil {
		return err
	}
	return a.redirect(c, d.Base+"#stellen", "Der Stand der Stelle ist gemeldet.")
}

// cutPost splits the post field "L1/2" into lot and number.
func cutPost(s string) (lot, no string, ok bool) {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '/' {
			return s[:i], s[i+1:], true
		}
	}
	return "", "", false
}

// requestDrawdown records a Mittelabruf.
func (a *App) requestDrawdown(c echo.Context) error {
	d, err := a.loadOrgForwarding(c)
	if err != nil {
		return err
	}
	in := forwarding.DrawdownInput{From: c.FormValue("period_from"), To: c.FormValue("period_to"), Amount: c.FormValue("amount")}
	_, err = forwarding.RequestDrawdown(c.Request().Context(), a.db, actor(c), core.OrgCallScope{Org: d.Org.ID, Call: d.Contract.CallID}, in, a.now())
	if _, ok := core.AsValidation(err); ok {
		return a.invalid(c, "forwarding_org", d.Contract.Terms.FormLabel()+" – "+d.Contract.Terms.CallRef, d, formValues(c), err)
	}
	if err != nil {
		return err
	}
	return a.redirect(c, d.Base+"#abrufe", "Ihr Mittelabruf ist eingegangen. Die Verfahrensleitung entscheidet darüber.")
}

// PostOption is one choice of the report form's post field.
type PostOption struct{ Value, Label string }

// PostOptions are the post choices of the report form: "L1/1" → "Nord, Stelle 1".
func (p orgForwardingPage) PostOptions() []PostOption {
	var out []PostOption
	for _, s := range p.Contract.Posts {
		out = append(out, PostOption{Value: s.LotKey + "/" + strconv.Itoa(s.No), Label: s.LotName + ", Stelle " + strconv.Itoa(s.No)})
	}
	return out
}
