package app

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"kimibv/models/accounts"
	"kimibv/models/bids"
	"kimibv/models/core"
	"kimibv/models/rules"
	"kimibv/models/vault"
	"kimibv/templates"
)

// bidPage is the data of the bid pages (overview, steps, check page).
type bidPage struct {
	Org          *accounts.Organization
	View         *bids.BidView
	Base         string // /traeger/<org>/bewerbungen/<bid>
	Step         rules.BidStep
	Steps        []rules.BidStep
	Declarations []rules.Declaration
	Wallet       []bids.WalletEntry
	MaxFile      string
	F            fmtr
}

// Progress is the position in the six steps of a bid: the five form steps and the check
// ("Schritt 3 von 6"); on the check page (no step) it is the last.
func (p bidPage) Progress() string {
	n := len(p.Steps) + 1
	at := n
	for i, s := range p.Steps {
		if s == p.Step {
			at = i + 1
		}
	}
	return fmt.Sprintf("Schritt %d von %d", at, n)
}

// StepHref returns the address of step s.
func (p bidPage) StepHref(s rules.BidStep) string { return p.Base + "/" + string(s) }

// Prev returns the step before the current one ("" on the first).
func (p bidPage) Prev() rules.BidStep {
	for i, s := range p.Steps {
		if s == p.Step && i > 0 {
			return p.Steps[i-1]
		}
	}
	return ""
}

// Last reports whether the current step is the last one.
func (p bidPage) Last() bool { return p.Step == p.Steps[len(p.Steps)-1] }

// File returns the working copy's file for document key (nil when none).
func (p bidPage) File(key string) *vault.BidFileRow {
	if f, ok := p.View.Files[key]; ok {
		return &f
	}
	return nil
}

// Lot returns the VZÄ of the working copy for lot key in German ("" when none).
func (p bidPage) Lot(key string) string {
	if d, ok := p.View.Draft.Lots[key]; ok && d.Sign() > 0 {
		return rules.FormatFTE(d)
	}
	return ""
}

// DiffHref links to the changes of the call since the version the last submission refers to.
func (p bidPage) DiffHref() string {
	if len(p.View.Versions) == 0 {
		return ""
	}
	return fmt.Sprintf("/ausschreibungen/%s/fassungen/%d/%d", p.View.Call.Ref, p.View.Versions[0].CallVersion, p.View.Call.CurrentVersion)
}

// bidID parses :bid (404 for anything but a positive number).
func bidID(c echo.Context) (int64, error) { return pathID(c, "bid") }

// bidBase returns the address of a bid in the provider area, /traeger/<org>/bewerbungen/<bid>.
func bidBase(orgID, bidID int64) string {
	return fmt.Sprintf("/traeger/%d/bewerbungen/%d", orgID, bidID)
}

// ownBid is what every handler of the organisation's own bid needs first.
type ownBid struct {
	vault *vault.Vault
	org   *accounts.Organization // from :org (requireOrgMember)
	id    int64                  // from :bid
}

// base returns the bid's address in the provider area.
func (b ownBid) base() string { return bidBase(b.org.ID, b.id) }

// ownBidParams opens the document vault (503 when it is unavailable) and parses :bid (404).
func (a *App) ownBidParams(c echo.Context) (ownBid, error) {
	v, err := a.vault()
	if err != nil {
		return ownBid{}, err
	}
	id, err := bidID(c)
	if err != nil {
		return ownBid{}, err
	}
	return ownBid{vault: v, org: org(c), id: id}, nil
}

// loadBidPage loads the organisation's bid for the pages.
func (a *App) loadBidPage(c echo.Context, step rules.BidStep) (bidPage, error) {
	b, err := a.ownBidParams(c)
	if err != nil {
		return bidPage{}, err
	}
	o := b.org
	view, err := bids.OwnBid(c.Request().Context(), a.db, b.vault, actor(c), core.BidScope{Org: o.ID, Bid: b.id}, a.now())
	if err != nil {
		return bidPage{}, err
	}
	p := bidPage{Org: o, View: view, Base: b.base(), Step: step, Steps: rules.BidSteps,
		Declarations: rules.Declarations(&view.Content), MaxFile: rules.FormatMB(a.cfg.MaxFileBytes)}
	if step == rules.StepDocuments {
		if p.Wallet, err = bids.ListWallet(c.Request().Context(), a.db, actor(c), o.ID, a.now()); err != nil {
			return p, err
		}
	}
	return p, nil
}

// bidRefusal turns a German refusal (deadline passed, state conflict) into a 409 page with its message.
func bidRefusal(err error) error {
	var de *core.DeadlineError
	if errors.As(err, &de) {
		return &echo.HTTPError{Code: http.StatusConflict, Message: de.Message, Internal: err}
	}
	return conflictPage(err)
}

// orgBidsPage is the organisation's list of bids.
type orgBidsPage struct {
	Org  *accounts.Organization
	Bids []bids.OrgBidRow
}

// orgBids lists the organisation's bids.
func (a *App) orgBids(c echo.Context) error {
	o := org(c)
	rows, err := bids.OrgBids(c.Request().Context(), a.db, actor(c), o.ID)
	if err != nil {
		return err
	}
	return a.show(c, "bids", "Interessenbekundungen – "+o.Name, orgBidsPage{Org: o, Bids: rows})
}

// startBid opens (or creates) the organisation's bid for the call of the posted call_id.
func (a *App) startBid(c echo.Context) error {
	v, err := a.vault()
	if err != nil {
		return err
	}
	callID, err := strconv.ParseInt(c.FormValue("call_id"), 10, 64)
	if err != nil || callID <= 0 {
		return echo.ErrNotFound
	}
	o := org(c)
	id, err := bids.StartBid(c.Request().Context(), a.db, v, actor(c), core.OrgCallScope{Org: o.ID, Call: callID}, a.now())
	if err != nil {
		return bidRefusal(err)
	}
	return a.redirect(c, bidBase(o.ID, id), "")
}

// bidOverview shows the bid's state, versions and actions.
func (a *App) bidOverview(c echo.Context) error {
	p, err := a.loadBidPage(c, "")
	if err != nil {
		return err
	}
	return a.show(c, "bid", "Interessenbekundung – "+p.View.Call.Title, p)
}

// stepValues fills the step forms from the working copy.
func stepValues(p bidPage) url.Values {
	d := p.View.Draft
	v := url.Values{}
	for _, l := range p.View.Content.Lots {
		v.Set("fte_"+l.Key, p.Lot(l.Key))
	}
	for k, a := range d.Answers {
		v.Set("answer_"+k, a)
	}
	for k, ok := range d.Declarations {
		if ok {
			v.Set("decl_"+k, "1")
		}
	}
	v.Set("ties", d.Ties.Declared)
	v.Set("ties_text", d.Ties.Text)
	v.Set("contact_name", d.Contact.Name)
	v.Set("contact_email", d.Contact.Email)
	v.Set("contact_phone", d.Contact.Phone)
	return v
}

// stepParam returns the :step parameter as a known step (404 otherwise).
func stepParam(c echo.Context) (rules.BidStep, error) {
	s := rules.BidStep(c.Param("step"))
	if !s.Valid() {
		return "", echo.ErrNotFound
	}
	return s, nil
}

// bidStep shows one step of the bid form, filled from the working copy.
func (a *App) bidStep(c echo.Context) error {
	step, err := stepParam(c)
	if err != nil {
		return err
	}
	p, err := a.loadBidPage(c, step)
	if err != nil {
		return err
	}
	page := a.page(c, step.Label()+" – Interessenbekundung", p)
	page.Form = templates.NewForm(stepValues(p), nil)
	return a.render(c, http.StatusOK, "bid_step", page)
}

// saveBidStep saves one step and goes to the next, the previous step or the check page.
func (a *App) saveBidStep(c echo.Context) error {
	b, err := a.ownBidParams(c)
	if err != nil {
		return err
	}
	step, err := stepParam(c)
	if err != nil {
		return err
	}
	values := formValues(c)
	in := rules.StepInput{}
	for k := range values {
		in[k] = values.Get(k)
	}
	err = bids.SaveBidStep(c.Request().Context(), a.db, b.vault, actor(c), core.BidScope{Org: b.org.ID, Bid: b.id}, step, in, a.now())
	if _, ok := core.AsValidation(err); ok {
		p, perr := a.loadBidPage(c, step)
		if perr != nil {
			return perr
		}
		return a.invalid(c, "bid_step", step.Label()+" – Interessenbekundung", p, values, err)
	}
	if err != nil {
		return bidRefusal(err)
	}
	base := b.base()
	to := base + "/" + string(step)
	switch values.Get("go") {
	case "next":
		for i, s := range rules.BidSteps {
			if s == step && i+1 < len(rules.BidSteps) {
				to = base + "/" + string(rules.BidSteps[i+1])
			}
		}
	case "prev":
		for i, s := range rules.BidSteps {
			if s == step && i > 0 {
				to = base + "/" + string(rules.BidSteps[i-1])
			}
		}
	case "check":
		to = base + "/pruefen"
	}
	return a.redirect(c, to, "Ihre Angaben wurden gespeichert.")
}

// bidCheck shows everything on one page with the missing items ("Angaben prüfen").
func (a *App) bidCheck(c echo.Context) error {
	p, err := a.loadBidPage(c, "")
	if err != nil {
		return err
	}
	return a.show(c, "bid_check", "Angaben prüfen – Interessenbekundung", p)
}

// submitBid freezes the checked revision as a version and issues the receipt after commit.
func (a *App) submitBid(c echo.Context) error {
	a.submissionArrived()
	b, err := a.ownBidParams(c)
	if err != nil {
		return err
	}
	rev, _ := strconv.Atoi(c.FormValue("rev"))
	ctx := c.Request().Context()
	ver, err := bids.SubmitBid(ctx, a.db, b.vault, actor(c), core.BidScope{Org: b.org.ID, Bid: b.id}, rev, bids.ReceivedAt(receivedAt(c)))
	if _, ok := core.AsValidation(err); ok {
		p, perr := a.loadBidPage(c, "")
		if perr != nil {
			return perr
		}
		return a.invalid(c, "bid_check", "Angaben prüfen – Interessenbekundung", p, url.Values{}, err)
	}
	if err != nil {
		return bidRefusal(err)
	}
	// The bid is stored and acknowledged; the Eingangsbestätigung follows in the background.
	a.issueReceiptSoon(b.vault, b.id, ver.Version)
	return a.redirect(c, fmt.Sprintf("%s/fassungen/%d", b.base(), ver.Version),
		fmt.Sprintf("Ihre Interessenbekundung ist eingegangen (Fassung %d, %s).", ver.Version, receiptTime(ver.ReceiptAt)))
}

// withdrawBid withdraws the bid (final).
func (a *App) withdrawBid(c echo.Context) error {
	id, err := bidID(c)
	if err != nil {
		return err
	}
	p, err := a.loadBidPage(c, "")
	if err != nil {
		return err
	}
	if p.View.CanWithdraw() {
		act := finalAct{Title: "Interessenbekundung zurückziehen", Button: "Endgültig zurückziehen", Back: p.Base,
			Intro: "Sie ziehen die Interessenbekundung von " + p.Org.Name + " zu " + p.View.Call.Title + " zurück.",
			Final: []string{"Der Rückzug – die Interessenbekundung nimmt am Verfahren nicht mehr teil.",
				"Eine erneute Einreichung ist danach nicht möglich, auch nicht vor Ablauf der Frist."}}
		if ask, err := a.askConfirmation(c, act); ask {
			return err
		}
	}
	o := org(c)
	if err := bids.WithdrawBid(c.Request().Context(), a.db, actor(c), core.BidScope{Org: o.ID, Bid: id}, a.now()); err != nil {
		return bidRefusal(err)
	}
	return a.redirect(c, bidBase(o.ID, id), "Die Interessenbekundung wurde zurückgezogen.")
}
