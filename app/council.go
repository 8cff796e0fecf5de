package app

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"kimibv/models/accounts"
	"kimibv/models/core"
	"kimibv/models/decision"
	"kimibv/models/forwarding"
	"kimibv/models/rules"
)

// councilListPage is the data of /kreistag/:kreis.
type councilListPage struct {
	Tenant *accounts.Tenant
	Rows   []decision.CouncilRow
	F      fmtr
}

// councilHome lists every procedure of the Kreis for its council members.
func (a *App) councilHome(c echo.Context) error {
	t := tenant(c)
	rows, err := decision.CouncilProcedures(c.Request().Context(), a.db, actor(c), t.ID)
	if err != nil {
		return err
	}
	return a.show(c, "council", "Kreistag: Verfahren", councilListPage{Tenant: t, Rows: rows})
}

// councilPage is the data of one procedure in the council view.
type councilPage struct {
	Tenant *accounts.Tenant
	V      *decision.CouncilView
	Award  awardPage
	Base   string
	F      fmtr
	// Opened: the procedure has been opened, so its protocol is open to the council
	// (councilTrail, linked as Base + "/protokoll").
	Opened bool
}

func (a *App) councilData(c echo.Context) (councilPage, error) {
	t := tenant(c)
	id, err := callID(c)
	if err != nil {
		return councilPage{}, err
	}
	v, err := decision.LoadCouncilProcedure(c.Request().Context(), a.db, actor(c), core.CallScope{Tenant: t.ID, Call: id})
	if err != nil {
		return councilPage{}, err
	}
	p := councilPage{Tenant: t, V: v, Base: "/kreistag/" + t.Slug + "/verfahren/" + strconv.FormatInt(id, 10),
		Opened: !slices.Contains([]rules.CallState{rules.CallDraft, rules.CallPublished, rules.CallClosed, rules.CallCancelled}, v.State)}
	if v.Record != nil {
		p.Award = awardPage{R: v.Record, Href: "/ausschreibungen/" + v.Ref}
		if p.Award.Posts, err = forwarding.OpenPosts(c.Request().Context(), a.db, id); err != nil {
			return councilPage{}, err
		}
	}
	return p, nil
}

// councilProcedure shows the award record, the declaration form or notice, and the annex.
func (a *App) councilProcedure(c echo.Context) error {
	p, err := a.councilData(c)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "private, no-store")
	return a.show(c, "council_procedure", p.V.Title, p)
}

// councilVermerkPDF sends the latest Vergabevermerk to a council member who may see the
// annex (decision recorded, no tie declared); everyone else gets 404.
func (a *App) councilVermerkPDF(c echo.Context) error {
	id, err := callID(c)
	if err != nil {
		return err
	}
	doc, err := decision.CouncilVermerk(c.Request().Context(), a.db, actor(c), core.CallScope{Tenant: tenant(c).ID, Call: id})
	if err != nil {
		return err
	}
	return a.sendPDF(c, doc)
}

// councilAnnex is the annex on its own address: 404 for a member with a declared tie
// (and before the declaration or the decision).
func (a *App) councilAnnex(c echo.Context) error {
	p, err := a.councilData(c)
	if err != nil {
		return err
	}
	if p.V.Annex == nil {
		return echo.ErrNotFound
	}
	c.Response().Header().Set("Cache-Control", "private, no-store")
	return a.show(c, "council_procedure", p.V.Title, p)
}

// councilDeclare records the member's declaration of ties to every bidder.
func (a *App) councilDeclare(c echo.Context) error {
	t := tenant(c)
	id, err := callID(c)
	if err != nil {
		return err
	}
	in := decision.CouncilDeclaration{TenantID: t.ID, CallID: id, Ties: map[int64]string{}, Note: c.FormValue("note")}
	form, _ := c.FormParams()
	for k, v := range form {
		if rest, ok := strings.CutPrefix(k, "tie_"); ok && len(v) > 0 {
			if org, err := strconv.ParseInt(rest, 10, 64); err == nil {
				in.Ties[org] = v[0]
			}
		}
	}
	err = decision.DeclareCouncilTies(c.Request().Context(), a.db, actor(c), in, a.now())
	var ve *core.ValidationError
	if errors.As(err, &ve) {
		p, lerr := a.councilData(c)
		if lerr != nil {
			return lerr
		}
		return a.invalid(c, "council_procedure", p.V.Title, p, formValues(c), err)
	}
	if err != nil {
		return err
	}
	base := "/kreistag/" + t.Slug + "/verfahren/" + strconv.FormatInt(id, 10)
	tied := false
	for _, tie := range in.Ties {
		tied = tied || tie != rules.TieNone
	}
	if tied {
		return a.redirect(c, base, "Ihre Erklärung ist gespeichert. Wegen der erklärten Verbindung wird Ihnen der nichtöffentliche Anhang nicht angezeigt.")
	}
	return a.redirect(c, base+"#anhang", "Ihre Erklärung ist gespeichert. Der nichtöffentliche Anhang ist nun sichtbar.")
}
