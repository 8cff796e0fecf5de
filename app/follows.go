package app

import (
	"github.com/labstack/echo/v4"

	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/postbox"
)

// followCall lets one of the user's organisations follow the call of :id.
func (a *App) followCall(c echo.Context) error {
	h, err := calls.PublishedCallHeader(c.Request().Context(), a.db, c.Param("id"))
	if err != nil {
		return err
	}
	orgID := formOrg(c, "follow_org", actor(c))
	if err := postbox.Follow(c.Request().Context(), a.db, actor(c), core.OrgCallScope{Org: orgID, Call: h.ID}, a.now()); err != nil {
		return conflictPage(err)
	}
	return a.redirect(c, "/ausschreibungen/"+h.Ref+"#folgen",
		"Ihre Organisation folgt dieser Ausschreibung. Neue Antworten, Änderungen und eine Aufhebung erhalten Sie im Postfach und per E-Mail.")
}

// unfollowCall ends the following of one of the user's organisations.
func (a *App) unfollowCall(c echo.Context) error {
	h, err := calls.PublishedCallHeader(c.Request().Context(), a.db, c.Param("id"))
	if err != nil {
		return err
	}
	orgID := formOrg(c, "follow_org", actor(c))
	if err := postbox.Unfollow(c.Request().Context(), a.db, actor(c), core.OrgCallScope{Org: orgID, Call: h.ID}); err != nil {
		return err
	}
	return a.redirect(c, "/ausschreibungen/"+h.Ref+"#folgen", "Ihre Organisation folgt dieser Ausschreibung nicht mehr.")
}
