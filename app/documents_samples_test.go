package app

import (
	"strings"
	"time"

	"kimibv/models/vault"
)

// sampleDocumentCheck is a found Bekanntmachung, matched by its file hash.
func sampleDocumentCheck() documentCheckData {
	h := strings.Repeat("ab", 32)
	return documentCheckData{Checked: true, Hash: h, MaxFile: "25 MB", Found: &vault.DocumentCheck{ID: 7, Kind: vault.DocBekanntmachung,
		Title: "Bekanntmachung: Interessenbekundungsverfahren KIM", IssuedAt: time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC),
		Kreis: "Kreis Musterland", CallRef: "musterland-2026-01", CallTitle: "Interessenbekundungsverfahren KIM",
		ContentSHA256: strings.Repeat("cd", 32), FileSHA256: h, ChainHead: strings.Repeat("ef", 32), ByFile: true}}
}
