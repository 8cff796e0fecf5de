package app

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"kimibv/models/opendata"
)

// ocdsOptions returns the open-data settings: the configured ocid prefix and the base URL.
func (a *App) ocdsOptions() opendata.OCDSOptions {
	return opendata.OCDSOptions{OCIDPrefix: a.cfg.OCIDPrefix, BaseURL: a.cfg.BaseURL}
}

// ocdsPublisher names the publisher of the packages: the operating organisation.
func (a *App) ocdsPublisher() string {
	if a.cfg.Operator != "" {
		return a.cfg.Operator
	}
	return "kimibv"
}

// ocdsAll serves the release package with every public release of every Kreis.
func (a *App) ocdsAll(c echo.Context) error {
	procs, err := opendata.OCDSProcedures(c.Request().Context(), a.db, "")
	if err != nil {
		return err
	}
	return a.ocdsJSON(c, opendata.BuildOCDSPackage(procs, a.ocdsOptions(), a.cfg.BaseURL+"/ocds/releases.json", a.ocdsPublisher(), a.now()))
}

// ocdsOne serves the release package of one procedure (number or readable reference).
func (a *App) ocdsOne(c echo.Context) error {
	procs, err := opendata.OCDSProcedures(c.Request().Context(), a.db, c.Param("id"))
	if err != nil {
		return err
	}
	uri := a.cfg.BaseURL + "/ocds/" + procs[0].Ref + "/releases.json"
	return a.ocdsJSON(c, opendata.BuildOCDSPackage(procs, a.ocdsOptions(), uri, a.ocdsPublisher(), a.now()))
}

// ocdsJSON writes a package as JSON with a weak ETag (hash of the body; weak because gzip
// may change the bytes on the wire) and Last-Modified (the newest release), answering
// conditional requests with 304.
func (a *App) ocdsJSON(c echo.Context, pkg *opendata.OCDSPackage) error {
	body, err := json.MarshalIndent(pkg, "", "  ")
	if err != nil {
		return fmt.Errorf("encode OCDS package: %w", err)
	}
	sum := sha256.Sum256(body)
	etag := `W/"` + hex.EncodeToString(sum[:16]) + `"`
	modified := pkg.LastModified().UTC().Truncate(time.Second)
	h := c.Response().Header()
	h.Set("ETag", etag)
	h.Set("Last-Modified", modified.Format(http.TimeFormat))
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("Access-Control-Allow-Origin", "*")
	if notModified(c.Request(), etag, modified) {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, "application/json", append(body, '\n'))
}

// notModified evaluates If-None-Match (preferred, weak comparison) or If-Modified-Since.
func notModified(r *http.Request, etag string, modified time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		opaque := strings.TrimPrefix(etag, "W/")
		for _, t := range strings.Split(inm, ",") {
			t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
			if t == opaque || t == "*" {
				return true
			}
		}
		return false
	}
	ims := r.Header.Get("If-Modified-Since")
	if ims == "" {
		return false
	}
	if t, err := http.ParseTime(ims); err == nil {
		return !modified.After(t)
	}
	return false
}
