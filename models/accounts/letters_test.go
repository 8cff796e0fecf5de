package accounts_test

import (
	"slices"
	"testing"

	"kimibv/models/accounts"
)

func TestLetterSenderLines(t *testing.T) {
	s := accounts.LetterSender{Kreis: "Kreis Musterland", Authority: "Kreis Musterland – Der Landrat", Address: " Am Kreishaus 1 \n\n57000 Musterstadt",
		Court: "Verwaltungsgericht Düsseldorf", CourtAddress: "Bastionstraße 39\n40213 Düsseldorf\n"}
	if got, want := s.ReturnAddress(), "Kreis Musterland · Am Kreishaus 1 · 57000 Musterstadt"; got != want {
		t.Errorf("ReturnAddress = %q, want %q", got, want)
	}
	if got, want := s.CourtLine(), "Verwaltungsgericht Düsseldorf, Bastionstraße 39, 40213 Düsseldorf"; got != want {
		t.Errorf("CourtLine = %q, want %q", got, want)
	}
	if got := (accounts.LetterSender{CourtAddress: "Bastionstraße 39"}).CourtLine(); got != "" {
		t.Errorf("CourtLine without a court = %q, want empty", got)
	}
	if got := (accounts.LetterSender{Authority: "Stadt Beispielhausen"}).ReturnAddress(); got != "Stadt Beispielhausen" {
		t.Errorf("ReturnAddress without Kreis and address = %q", got)
	}
	o := accounts.Organization{Name: "Caritasverband e. V.", Street: "Domplatz 3", PostalCode: "57002", City: "Musterstadt"}
	if got, want := o.PostalAddress(), []string{"Caritasverband e. V.", "Domplatz 3", "57002 Musterstadt"}; !slices.Equal(got, want) {
		t.Errorf("PostalAddress = %q, want %q", got, want)
	}
	if got := (&accounts.Organization{Name: "Ohne Anschrift"}).PostalAddress(); !slices.Equal(got, []string{"Ohne Anschrift"}) {
		t.Errorf("PostalAddress without address = %q", got)
	}
}
