package app

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"kimibv/models/calls"
	"kimibv/models/rules"
)

// versionsPage is the data of a call's version history and of a comparison.
type versionsPage struct {
	Call     *calls.CallHeader
	Href     string
	Versions []calls.VersionEntry
	Diff     *calls.VersionDiff
	Sections []diffSection
	F        fmtr
}

// diffSection groups the changes of one part of the call.
type diffSection struct {
	Name    string
	Changes []rules.Change
}

// groupChanges keeps the order of the changes and groups consecutive ones by section.
func groupChanges(changes []rules.Change) []diffSection {
	var out []diffSection
	for _, ch := range changes {
		if len(out) == 0 || out[len(out)-1].Name != ch.Section {
			out = append(out, diffSection{Name: ch.Section})
		}
		out[len(out)-1].Changes = append(out[len(out)-1].Changes, ch)
	}
	return out
}

// callVersions lists the published versions with links to what each amendment changed;
// ?von=a&zu=b redirects to the stable comparison address.
func (a *App) callVersions(c echo.Context) error {
	ctx := c.Request().Context()
	h, err := calls.PublishedCallHeader(ctx, a.db, c.Param("id"))
	if err != nil {
		return err
	}
	href := "/ausschreibungen/" + h.Ref
	if from, to := c.QueryParam("von"), c.QueryParam("zu"); from != "" || to != "" {
		x, _ := strconv.Atoi(from)
		y, _ := strconv.Atoi(to)
		if x > y {
			x, y = y, x
		}
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("%s/fassungen/%d/%d", href, x, y))
	}
	vs, err := calls.CallVersionList(ctx, a.db, h.ID)
	if err != nil {
		return err
	}
	return a.show(c, "call_versions", "Fassungen – "+h.Title, versionsPage{Call: h, Href: href, Versions: vs})
}

// callDiff shows what changed between versions :a and :b (stable address).
func (a *App) callDiff(c echo.Context) error {
	ctx := c.Request().Context()
	h, err := calls.PublishedCallHeader(ctx, a.db, c.Param("id"))
	if err != nil {
		return err
	}
	x, errA := strconv.Atoi(c.Param("a"))
	y, errB := strconv.Atoi(c.Param("b"))
	if errA != nil || errB != nil {
		return echo.ErrNotFound
	}
	d, err := calls.DiffCallVersions(ctx, a.db, h.ID, x, y)
	if err != nil {
		return err
	}
	return a.show(c, "call_diff", fmt.Sprintf("Änderungen von Fassung %d zu %d – %s", x, y, h.Title),
		versionsPage{Call: h, Href: "/ausschreibungen/" + h.Ref, Diff: d, Sections: groupChanges(d.Changes)})
}
