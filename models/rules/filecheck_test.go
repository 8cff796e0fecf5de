package rules_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"kimibv/app/pdf"
	"kimibv/models/fixture"
	"kimibv/models/rules"
)

func realPDF(t *testing.T) []byte {
	t.Helper()
	d, err := pdf.New(pdf.Meta{Title: "Satzung", Kind: "Test", CreatedAt: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	d.Paragraph("Satzung des Vereins „Hilfe für Menschen“ e. V. – Größe, Maß, Übung.")
	b, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCheckPDF(t *testing.T) {
	t.Parallel()
	valid := fixture.MinimalPDF(400)
	tests := []struct {
		name    string
		content []byte
		want    string
	}{
		{"real PDF from app/pdf", realPDF(t), ""},
		{"minimal PDF", valid, ""},
		{"PDF 2.0 with trailing newlines after EOF", append(fixture.MinimalPDF(300), "\r\n\r\n"...), ""},
		{"empty", nil, "empty"},
		{"PNG renamed to .pdf", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR%%EOF"), "not_pdf"},
		{"Word document renamed", []byte("PK\x03\x04\x14\x00\x06\x00word/document.xml %PDF-1.4 %%EOF"), "not_pdf"},
		{"HTML/JS polyglot with %PDF- later", []byte("<html><script>alert(1)</script>\n%PDF-1.4\n%%EOF\n"), "not_pdf"},
		{"BOM before header", append([]byte("\xef\xbb\xbf"), valid...), "not_pdf"},
		{"whitespace before header", append([]byte("  \n"), valid...), "not_pdf"},
		{"header without version", []byte("%PDF-x\n%%EOF"), "not_pdf"},
		{"only the magic", []byte("%PDF-"), "not_pdf"},
		{"truncated (no %%EOF)", valid[:len(valid)-30], "truncated"},
		{"%%EOF only far from the end", append(fixture.MinimalPDF(300), bytes.Repeat([]byte("x"), 2000)...), "truncated"},
		{"one byte", []byte("%"), "not_pdf"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := rules.CheckPDF(tc.content); got != tc.want {
				t.Errorf("CheckPDF = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSanitizeFilename(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("ä", 200) + ".pdf"
	tests := []struct{ in, want string }{
		{"Satzung.pdf", "Satzung.pdf"},
		{"Freistellungsbescheid Finanzamt Köln-Süd 2025.pdf", "Freistellungsbescheid Finanzamt Köln-Süd 2025.pdf"},
		{"../../etc/passwd", "passwd"},
		{`C:\Users\müller\Documents\Übersicht.pdf`, "Übersicht.pdf"},
		{"/abs/path/to/x.pdf", "x.pdf"},
		{"a\x00b\x07c\x1b[31m.pdf", "abc[31m.pdf"},
		{"line\r\nbreak.pdf", "line break.pdf"},
		{"rechnung\u202Efdp.exe", "rechnungfdp.exe"},
		{"\u2066isolate\u2069\u202a\u202b\u202c\u202d.pdf", "isolate.pdf"},
		{"mark\u200f\u200e.pdf", "mark.pdf"},
		{"Gr\u00fc\u00dfe", "Grüße"},
		{"Gru\u0308\u00dfe.pdf", "Grüße.pdf"}, // NFD (macOS) becomes NFC
		{"what?<is>:this|*\".pdf", "what__is__this___.pdf"},
		{"   ...hidden.pdf  ", "hidden.pdf"},
		{"name.pdf...", "name.pdf"},
		{"many     spaces\t\t.pdf", "many spaces .pdf"},
		{"\xff\xfeinvalid.pdf", "invalid.pdf"},
		{"..", ""},
		{"", ""},
		{"/", ""},
		{long, strings.Repeat("ä", rules.MaxFilenameRunes-4) + ".pdf"},
	}
	for _, tc := range tests {
		if got := rules.SanitizeFilename(tc.in); got != tc.want {
			t.Errorf("SanitizeFilename(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestFileErrorMessages(t *testing.T) {
	t.Parallel()
	for code, want := range map[string]string{
		"empty":     "leer",
		"not_pdf":   "keine PDF-Datei",
		"truncated": "unvollständig",
		"too_large": "größer als 20 MB",
	} {
		v := rules.FileError("datei", code, 20<<20)
		if len(v.Fields) != 1 || v.Fields[0].Field != "datei" || v.Fields[0].Code != code || !strings.Contains(v.Fields[0].Message, want) {
			t.Errorf("FileError(%s) = %+v, want message containing %q", code, v.Fields, want)
		}
	}
	if got := rules.FormatMB(5 << 19); got != "2,5 MB" {
		t.Errorf("FormatMB(2.5 MiB) = %q", got)
	}
}
