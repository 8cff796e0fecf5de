package app

import (
	"github.com/labstack/echo/v4"

	"kimibv/models/vault"
)

// callVault parses :call (404 for a malformed id) and then opens the document vault (503
// when it is unavailable), in the order the Kreis-side pages about a call's bids keep.
func (a *App) callVault(c echo.Context) (int64, *vault.Vault, error) {
	id, err := callID(c)
	if err != nil {
		return 0, nil, err
	}
	v, err := a.vault()
	if err != nil {
		return 0, nil, err
	}
	return id, v, nil
}

// callBid is what a Kreis-side page about one bid of a call needs first.
type callBid struct {
	call  int64 // :call
	bid   int64 // :bid
	vault *vault.Vault
}

// callBidParams parses :call and :bid (404) and then opens the document vault (503).
func (a *App) callBidParams(c echo.Context) (callBid, error) {
	id, err := callID(c)
	if err != nil {
		return callBid{}, err
	}
	bid, err := bidID(c)
	if err != nil {
		return callBid{}, err
	}
	v, err := a.vault()
	if err != nil {
		return callBid{}, err
	}
	return callBid{call: id, bid: bid, vault: v}, nil
}
