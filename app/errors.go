package app

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"kimibv/models/core"
	"kimibv/models/vault"
)

// errorPage describes the German page for an HTTP status.
type errorPage struct {
	Title   string
	Message string
}

func germanError(status int) errorPage {
	switch status {
	case http.StatusNotFound:
		return errorPage{"Seite nicht gefunden", "Die aufgerufene Seite gibt es nicht oder nicht mehr. Bitte prüfen Sie die Adresse."}
	case http.StatusForbidden:
		return errorPage{"Zugriff nicht erlaubt", "Sie haben keine Berechtigung für diese Aktion."}
	case http.StatusConflict:
		return errorPage{"Vorgang bereits geändert", "Der Vorgang wurde inzwischen geändert, zum Beispiel in einem anderen Fenster. Bitte laden Sie die Seite neu."}
	case http.StatusRequestEntityTooLarge:
		return errorPage{"Datei oder Eingabe zu groß", "Die gesendeten Daten überschreiten die zulässige Größe."}
	case http.StatusMethodNotAllowed:
		return errorPage{"Aktion nicht möglich", "Diese Aktion ist für diese Adresse nicht vorgesehen."}
	case http.StatusServiceUnavailable:
		return errorPage{"Vorübergehend nicht erreichbar", "Der Dienst ist vorübergehend nicht erreichbar. Bitte versuchen Sie es in einigen Minuten erneut."}
	case http.StatusBadRequest, http.StatusUnprocessableEntity:
		return errorPage{"Ungültige Anfrage", "Die Anfrage konnte nicht verarbeitet werden. Bitte prüfen Sie Ihre Eingaben."}
	case http.StatusTooManyRequests:
		return errorPage{"Zu viele Anfragen", "Bitte warten Sie einen Moment und versuchen Sie es dann erneut."}
	}
	return errorPage{"Interner Fehler", "Bei der Verarbeitung ist ein Fehler aufgetreten. Der Fehler wurde protokolliert."}
}

// statusOf maps domain errors to HTTP status codes; this is the only place that does so.
// A core.Refusal carries its German explanation onto the page.
func statusOf(err error) (int, string) {
	var he *echo.HTTPError
	var ref *core.Refusal
	switch {
	case errors.As(err, &he):
		msg, _ := he.Message.(string)
		return he.Code, msg
	case errors.As(err, &ref) && errors.Is(err, core.ErrForbidden):
		return http.StatusForbidden, ref.Message
	case errors.As(err, &ref) && errors.Is(err, core.ErrConflict):
		return http.StatusConflict, ref.Message
	case errors.As(err, &ref) && errors.Is(err, core.ErrNotFound):
		return http.StatusNotFound, ref.Message
	case errors.Is(err, core.ErrNotFound):
		return http.StatusNotFound, ""
	case errors.Is(err, core.ErrForbidden):
		return http.StatusForbidden, ""
	case errors.Is(err, core.ErrConflict):
		return http.StatusConflict, ""
	case errors.Is(err, core.ErrSealed):
		return http.StatusForbidden, "Die Bewerbungen sind bis zur Öffnung nach Fristablauf versiegelt."
	case errors.Is(err, core.ErrDeadlinePassed):
		return http.StatusConflict, "Die Frist für diese Aktion ist abgelaufen."
	case errors.Is(err, core.ErrOverloaded):
		return http.StatusServiceUnavailable, "kimibv ist im Moment stark ausgelastet und konnte Ihre Anfrage nicht rechtzeitig bearbeiten. Es wurde nichts gespeichert. Bitte senden Sie sie gleich noch einmal."
	case isUnavailable(err):
		return http.StatusServiceUnavailable, ""
	case errors.Is(err, vault.ErrNoVault):
		return http.StatusServiceUnavailable, "Die Verschlüsselung ist nicht eingerichtet (Hauptschlüssel fehlt)."
	}
	if _, ok := core.AsValidation(err); ok {
		return http.StatusUnprocessableEntity, ""
	}
	return http.StatusInternalServerError, ""
}

// handleError renders every error as a German page; details go to the log only.
func (a *App) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, msg := statusOf(err)
	if status >= 500 {
		a.log.Error("request failed", "err", err, "method", c.Request().Method, "path", c.Request().URL.Path,
			"request_id", c.Response().Header().Get(echo.HeaderXRequestID))
	}
	ep := germanError(status)
	if msg != "" && msg != http.StatusText(status) {
		ep.Message = msg
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	p := a.page(c, ep.Title, ep)
	if status == http.StatusServiceUnavailable {
		p.User, p.Nav = nil, nil
		c.Response().Header().Set("Retry-After", "10")
	}
	if rerr := a.render(c, status, "error", p); rerr != nil {
		a.log.Error("render error page", "err", rerr)
		_ = c.String(status, ep.Title+": "+ep.Message)
	}
}
