package app

import (
	"time"

	"kimibv/models/bids"
	"kimibv/models/rules"
)

// sampleWalletData is a wallet with a document of every kind and every flag; with
// replace it is the replace page of the Satzung.
func sampleWalletData(replace bool) walletData {
	o := sampleOrgData().Org
	d := func(s string) *time.Time { t, _ := rules.ParseDateDE(s); return &t }
	uploader := int64(7)
	entry := func(id int64, t rules.DocType, name string, issued, until *time.Time, note string) bids.WalletEntry {
		e := bids.WalletEntry{WalletDocument: bids.WalletDocument{ID: id, OrgID: o.ID, DocType: t, FileID: id + 10, IssuedOn: issued,
			ValidUntil: until, Note: note, UploadedBy: &uploader, CreatedAt: sampleNow, UpdatedAt: sampleNow},
			FileName: name, Size: int64(id) * 700_000, SHA256: "ab12", UploaderName: "Jana Leitner"}
		e.Flag, e.CurrentUntil = rules.DocumentExpiry(t, issued, until, sampleNow)
		return e
	}
	data := walletData{Org: o, Types: rules.DocTypes, MaxFile: "20 MB", Base: "/traeger/3/dokumente", Entries: []bids.WalletEntry{
		entry(1, rules.DocFreistellung, "Freistellungsbescheid 2021.pdf", d("15.01.2021"), d("30.04.2026"), "Finanzamt Musterstadt"),
		entry(2, rules.DocSatzung, "Satzung <Fassung 2024>.pdf", nil, nil, ""),
		entry(3, rules.DocRegister, "VR 123 Auszug.pdf", d("01.06.2025"), nil, "Amtsgericht Musterstadt"),
		entry(4, rules.DocVertretung, "Vorstandsbeschluss.pdf", nil, nil, ""),
	}}
	if replace {
		data.Replace = &data.Entries[1]
	}
	return data
}
