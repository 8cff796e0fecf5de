package dbtest

import (
	"kimibv/models/forwarding"
	"kimibv/models/vault"
)

// Weiterleitung renders FakePDF (FakeDocuments implements forwarding.Documents too).
func (FakeDocuments) Weiterleitung(meta vault.DocMeta, _ *forwarding.Terms) ([]byte, error) {
	return FakePDF(meta), nil
}
