package app

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"kimibv/models/decision"
	"kimibv/models/forwarding"
	"kimibv/templates"
)

// awardListPage is the data of /vergaben.
type awardListPage struct {
	List *decision.AwardList
	Prev string
	Next string
	F    fmtr
}

// awardList lists the award records of all Kreise (filter by Kreis), newest first.
func (a *App) awardList(c echo.Context) error {
	page, _ := strconv.Atoi(c.QueryParam("seite"))
	f := decision.AwardListFilter{Kreis: c.QueryParam("kreis"), Page: page}
	list, err := decision.PublicAwards(c.Request().Context(), a.db, f)
	if err != nil {
		return err
	}
	data := awardListPage{List: list}
	data.Prev, data.Next = pageLinks("/vergaben", url.Values{"kreis": {f.Kreis}}, list.ListPage)
	p := a.page(c, "Vergaben", data)
	p.Form = templates.NewForm(url.Values{"kreis": {f.Kreis}}, nil)
	return a.render(c, http.StatusOK, "awards", p)
}

// awardPage is the data of one award record (public and council view).
type awardPage struct {
	R     *decision.AwardRecord
	Href  string // the public call page
	F     fmtr
	Posts []forwarding.OpenProvider // the posts after the award (rules.md R36)
}

// awardRecord shows one award record. Its content changes only with a new entry of the
// procedure's audit chain, so the chain head is the ETag and the head entry's time is
// Last-Modified; anonymous visitors get 304 on a match without the record being read.
// Logged-in users get no validator: their page carries their navigation and session.
// The chain's verification is kept per head for chainCheckMaxAge (the page says when it
// was verified).
func (a *App) awardRecord(c echo.Context) error {
	ctx := c.Request().Context()
	stamp, err := a.awardStamp(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	if done, err := a.revalidate(c, "vergabe", stamp.HeadHash, stamp.HeadAt); done {
		return err
	}
	r, err := decision.LoadAwardRecordChecked(ctx, a.db, strconv.FormatInt(stamp.CallID, 10), a.checks)
	if err != nil {
		return err
	}
	posts, err := forwarding.OpenPosts(ctx, a.db, stamp.CallID)
	if err != nil {
		return err
	}
	return a.show(c, "award", "Vergabe: "+r.Title, awardPage{R: r, Href: "/ausschreibungen/" + r.Ref, Posts: posts})
}
