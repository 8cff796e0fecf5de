package app

import (
	"strconv"

	"github.com/labstack/echo/v4"

	"kimibv/models"
)

// postausgangLimit is how many problem mails the page lists.
const postausgangLimit = 200

// postausgangPage is the Kreis administrator's list of failed and uncertain e-mails.
type postausgangPage struct {
	Kreis *models.Tenant
	Mails []models.OutboxProblem
}

// postausgang lists the Kreis's e-mails that failed or whose delivery is uncertain.
func (a *App) postausgang(c echo.Context) error {
	t := tenant(c)
	mails, err := models.OutboxProblems(c.Request().Context(), a.db, actor(c), t.ID, postausgangLimit)
	if err != nil {
		return err
	}
	return a.show(c, "postausgang", "Postausgang – "+t.Name, postausgangPage{Kreis: t, Mails: mails})
}

// retryMail puts one e-mail back into the queue.
func (a *App) retryMail(c echo.Context) error {
	t := tenant(c)
	id, err := strconv.ParseInt(c.Param("mail"), 10, 64)
	if err != nil || id <= 0 {
		return echo.ErrNotFound
	}
	if err := models.RetryMail(c.Request().Context(), a.db, actor(c), t.ID, id, a.now()); err != nil {
		return err
	}
	return a.redirect(c, "/verwaltung/"+t.Slug+"/postausgang", "Die E-Mail wird erneut versandt.")
}
