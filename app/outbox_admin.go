package app

import (
	"github.com/labstack/echo/v4"

	"kimibv/models/accounts"
	"kimibv/models/postbox"
)

// postausgangLimit is how many problem mails the page lists.
const postausgangLimit = 200

// postausgangPage is the list of failed and uncertain e-mails: of a Kreis for its
// administrator, or (Kreis nil) of the mails without a Kreis for the operator.
type postausgangPage struct {
	Kreis *accounts.Tenant
	Mails []postbox.OutboxProblem
}

// Base is the page's address; the retry forms post below it.
func (p postausgangPage) Base() string {
	if p.Kreis == nil {
		return "/betrieb/postausgang"
	}
	return "/verwaltung/" + p.Kreis.Slug + "/postausgang"
}

// Back is the address of the page the list belongs to.
func (p postausgangPage) Back() string {
	if p.Kreis == nil {
		return "/betrieb"
	}
	return "/verwaltung/" + p.Kreis.Slug
}

// BackLabel names the page Back leads to.
func (p postausgangPage) BackLabel() string {
	if p.Kreis == nil {
		return "Betrieb"
	}
	return p.Kreis.Name
}

// postausgang lists the Kreis's e-mails that failed or whose delivery is uncertain.
func (a *App) postausgang(c echo.Context) error {
	t := tenant(c)
	mails, err := postbox.OutboxProblems(c.Request().Context(), a.db, actor(c), t.ID, postausgangLimit)
	if err != nil {
		return err
	}
	return a.show(c, "postausgang", "Postausgang – "+t.Name, postausgangPage{Kreis: t, Mails: mails})
}

// retryMail puts one e-mail of the Kreis back into the queue.
func (a *App) retryMail(c echo.Context) error {
	t := tenant(c)
	id, err := pathID(c, "mail")
	if err != nil {
		return err
	}
	if err := postbox.RetryMail(c.Request().Context(), a.db, actor(c), t.ID, id, a.now()); err != nil {
		return err
	}
	return a.redirect(c, "/verwaltung/"+t.Slug+"/postausgang", "Die E-Mail wird erneut versandt.")
}

// operatorPostausgang lists the failed and uncertain e-mails without a Kreis for the
// operator; those about a bid stay sealed (postbox.OutboxProblem.Sealed).
func (a *App) operatorPostausgang(c echo.Context) error {
	mails, err := postbox.OutboxProblems(c.Request().Context(), a.db, actor(c), 0, postausgangLimit)
	if err != nil {
		return err
	}
	return a.show(c, "postausgang", "Postausgang – Betrieb", postausgangPage{Mails: mails})
}

// operatorRetryMail puts one e-mail without a Kreis back into the queue.
func (a *App) operatorRetryMail(c echo.Context) error {
	id, err := pathID(c, "mail")
	if err != nil {
		return err
	}
	if err := postbox.RetryMail(c.Request().Context(), a.db, actor(c), 0, id, a.now()); err != nil {
		return err
	}
	return a.redirect(c, "/betrieb/postausgang", "Die E-Mail wird erneut versandt.")
}
