package app

import (
	"strconv"

	"github.com/labstack/echo/v4"

	"kimibv/models/accounts"
	"kimibv/models/postbox"
)

// postfachLimit is how many messages the Postfach lists.
const postfachLimit = 200

// postfachPage is the data of the organisation's Postfach.
type postfachPage struct {
	Org      *accounts.Organization
	Messages []postbox.InboxMessage
	Unread   int64
	Message  *postbox.InboxMessage // the opened message
	F        fmtr
}

// postfach lists the organisation's messages, newest first, unread ones marked.
func (a *App) postfach(c echo.Context) error {
	o := org(c)
	msgs, unread, err := postbox.Inbox(c.Request().Context(), a.db, actor(c), o.ID, postfachLimit)
	if err != nil {
		return err
	}
	return a.show(c, "postfach", "Postfach – "+o.Name, postfachPage{Org: o, Messages: msgs, Unread: unread})
}

// postfachMessage opens one message and marks it read; another organisation's message is 404.
func (a *App) postfachMessage(c echo.Context) error {
	o := org(c)
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return echo.ErrNotFound
	}
	m, err := postbox.OpenInboxMessage(c.Request().Context(), a.db, actor(c), o.ID, id, a.now())
	if err != nil {
		return err
	}
	return a.show(c, "postfach_message", m.Subject, postfachPage{Org: o, Message: m})
}
