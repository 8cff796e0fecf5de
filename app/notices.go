package app

import (
	"strconv"

	"github.com/labstack/echo/v4"

	"kimibv/models/accounts"
	"kimibv/models/core"
	"kimibv/models/decision"
)

// noticesPage is the data of the organisation's notices and of one notice.
type noticesPage struct {
	Org     *accounts.Organization
	Notices []decision.OrgNotice
	Notice  *decision.OrgNotice
	F       fmtr
}

// orgNotices lists the organisation's notices (Mitteilungen).
func (a *App) orgNotices(c echo.Context) error {
	o := org(c)
	list, err := decision.OrgNotices(c.Request().Context(), a.db, actor(c), o.ID)
	if err != nil {
		return err
	}
	return a.show(c, "notices", "Mitteilungen – "+o.Name, noticesPage{Org: o, Notices: list})
}

// loadNotice loads the organisation's notice :id; another organisation's is 404.
func (a *App) loadNotice(c echo.Context) (noticesPage, error) {
	o := org(c)
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return noticesPage{}, echo.ErrNotFound
	}
	n, err := decision.LoadOrgNotice(c.Request().Context(), a.db, actor(c), o.ID, id, a.now())
	if err != nil {
		return noticesPage{}, err
	}
	return noticesPage{Org: o, Notice: n}, nil
}

// orgNotice shows one notice with the organisation's objections and the objection form.
func (a *App) orgNotice(c echo.Context) error {
	d, err := a.loadNotice(c)
	if err != nil {
		return err
	}
	return a.show(c, "notice", "Mitteilung – "+d.Notice.CallRef, d)
}

// lodgeObjection lodges the organisation's objection during the standstill.
func (a *App) lodgeObjection(c echo.Context) error {
	d, err := a.loadNotice(c)
	if err != nil {
		return err
	}
	_, err = decision.LodgeObjection(c.Request().Context(), a.db, actor(c), d.Org.ID, d.Notice.ID, c.FormValue("reason"), a.now())
	if _, ok := core.AsValidation(err); ok {
		return a.invalid(c, "notice", "Mitteilung – "+d.Notice.CallRef, d, formValues(c), err)
	}
	if err != nil {
		return err
	}
	return a.redirect(c, "/traeger/"+strconv.FormatInt(d.Org.ID, 10)+"/mitteilungen/"+strconv.FormatInt(d.Notice.ID, 10),
		"Ihre Rüge ist eingegangen. Die Vergabe wird nicht endgültig, bevor die Verfahrensleitung sie beantwortet hat.")
}

// noticePDF sends the notice's PDF to a member of the organisation.
func (a *App) noticePDF(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	doc, err := decision.NoticeDocument(c.Request().Context(), a.db, actor(c), org(c).ID, id)
	if err != nil {
		return err
	}
	return a.sendPDF(c, doc)
}
