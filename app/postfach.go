package app

import (
	"fmt"

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

// postfachMessage shows one message without marking it read (a GET never writes);
// another organisation's message is 404.
func (a *App) postfachMessage(c echo.Context) error {
	o := org(c)
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	m, err := postbox.InboxMessageOf(c.Request().Context(), a.db, actor(c), o.ID, id)
	if err != nil {
		return err
	}
	return a.show(c, "postfach_message", m.Subject, postfachPage{Org: o, Message: m})
}

// postfachMarkRead marks one message read and returns to the Postfach; another
// organisation's message is 404.
func (a *App) postfachMarkRead(c echo.Context) error {
	o := org(c)
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := postbox.MarkInboxRead(c.Request().Context(), a.db, actor(c), o.ID, id, a.now()); err != nil {
		return err
	}
	return a.redirect(c, fmt.Sprintf("/traeger/%d/postfach", o.ID), "Die Mitteilung ist als gelesen markiert.")
}

// postfachMarkAllRead marks every unread message of the organisation read.
func (a *App) postfachMarkAllRead(c echo.Context) error {
	o := org(c)
	if err := postbox.MarkInboxRead(c.Request().Context(), a.db, actor(c), o.ID, 0, a.now()); err != nil {
		return err
	}
	return a.redirect(c, fmt.Sprintf("/traeger/%d/postfach", o.ID), "Alle Mitteilungen sind als gelesen markiert.")
}
