package pdfdoc

import (
	"testing"
	"time"

	"kimibv/models/bids"
	"kimibv/models/vault"
)

// BenchmarkEingangsbestaetigung measures rendering one receipt PDF, the CPU work that
// every accepted submission of a deadline rush adds after its commit.
func BenchmarkEingangsbestaetigung(b *testing.B) {
	render := New("https://kimibv.example/dokumentenpruefung").Eingangsbestaetigung
	d := &bids.ReceiptDocData{CallTitle: "KIM-Case-Management 2027", CallRef: "musterland-2026-01",
		OrgName: "AWO Kreisverband Musterland e. V.", ReceiptAt: time.Now()}
	meta := vault.DocMeta{ContentSHA256: "ab", ChainHead: "cd", IssuedAt: time.Now()}
	for b.Loop() {
		if _, err := render(meta, d); err != nil {
			b.Fatal(err)
		}
	}
}
