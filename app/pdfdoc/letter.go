package pdfdoc

import (
	"strings"

	"kimibv/app/pdf"
	"kimibv/models/accounts"
	"kimibv/models/core"
	"kimibv/models/vault"
)

// letterText is what a letter says besides its body: the PDF title and kind, the
// reference (Aktenzeichen) and the subject line.
type letterText struct {
	title, kind, ref, subject string
}

// startLetter begins a letter of the Kreis to an organisation after DIN 5008 form B:
// letterhead, return address, the organisation's registered address, the information
// block (reference, contact, date of issue), subject and salutation.
func (rd *Renderer) startLetter(meta vault.DocMeta, p accounts.LetterParties, t letterText) (*pdf.Doc, error) {
	s := p.Sender
	info := []pdf.KV{{Key: "Aktenzeichen", Value: t.ref}}
	if s.Phone != "" {
		info = append(info, pdf.KV{Key: "Telefon", Value: s.Phone})
	}
	if s.Email != "" {
		info = append(info, pdf.KV{Key: "E-Mail", Value: s.Email})
	}
	info = append(info, pdf.KV{Key: "Datum", Value: core.FormatDate(meta.IssuedAt)})
	return pdf.NewLetter(pdf.Meta{Title: t.title, Kind: t.kind, Authority: s.Authority, Letterhead: s.Letterhead,
		CheckValue: meta.ContentSHA256, ChainHead: meta.ChainHead, CheckURL: rd.checkURL, CreatedAt: meta.IssuedAt},
		pdf.Letter{ReturnAddress: s.ReturnAddress(), Recipient: p.Recipient, Info: info, Subject: t.subject,
			Salutation: "Sehr geehrte Damen und Herren,"})
}

// legalRemedy adds the Rechtsbehelfsbelehrung: the Kreis's text and the competent court
// with its address.
func legalRemedy(doc *pdf.Doc, text string, s accounts.LetterSender) {
	court := s.CourtLine()
	if strings.TrimSpace(text) == "" && court == "" {
		return
	}
	doc.Heading("Rechtsbehelfsbelehrung")
	if strings.TrimSpace(text) != "" {
		doc.Paragraph(text)
	}
	if court != "" {
		doc.Paragraph("Zuständig ist das " + court + ".")
	}
}

// closeLetter ends a letter with the greeting and the signing office (else the authority).
func closeLetter(doc *pdf.Doc, s accounts.LetterSender) {
	office := s.SigningOffice
	if strings.TrimSpace(office) == "" {
		office = s.Authority
	}
	doc.Closing("Mit freundlichen Grüßen", office, "Dieses Schreiben wurde elektronisch erstellt und ist ohne Unterschrift gültig.")
}
