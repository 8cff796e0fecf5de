package rules

import (
	"bytes"
	"fmt"
	"path"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"kimibv/models/core"
)

// PdfMagic is how every PDF file starts (ISO 32000: the header line "%PDF-1.x" / "%PDF-2.0").
const PdfMagic = "%PDF-"

// pdfTrailerWindow is how far from the end the "%%EOF" marker is searched.
const pdfTrailerWindow = 1024

// MaxFilenameRunes limits the stored display name of a file.
const MaxFilenameRunes = 120

// FileMessages are the German messages of the upload checks, by code ("%s" is the limit).
var FileMessages = map[string]string{
	"empty":     "Die ausgewählte Datei ist leer (0 Byte). Bitte wählen Sie die richtige PDF-Datei aus.",
	"not_pdf":   "Die Datei ist keine PDF-Datei. Bitte laden Sie ein PDF-Dokument hoch; andere Formate werden nicht angenommen, auch wenn der Dateiname auf „.pdf“ endet.",
	"truncated": "Die PDF-Datei ist unvollständig oder beschädigt (das Dateiende fehlt). Bitte speichern Sie das Dokument neu als PDF und laden Sie es noch einmal hoch.",
	"too_large": "Die Datei ist größer als %s. Bitte verkleinern Sie sie (zum Beispiel mit geringerer Bildauflösung) oder teilen Sie sie auf.",
	"missing":   "Bitte wählen Sie eine PDF-Datei aus.",
}

// FileError returns a *ValidationError for field with the German message of code
// ("empty", "not_pdf", "truncated", "too_large", "missing"); limit is used by "too_large".
func FileError(field, code string, limit int64) *core.ValidationError {
	msg, ok := FileMessages[code]
	if !ok {
		msg = FileMessages["not_pdf"]
	}
	if code == "too_large" {
		msg = fmt.Sprintf(msg, FormatMB(limit))
	}
	v := &core.ValidationError{}
	v.Add(field, code, msg)
	return v
}

// FormatMB writes a byte count as German megabytes ("20 MB", "2,5 MB").
func FormatMB(n int64) string {
	mb := float64(n) / (1 << 20)
	if mb == float64(int64(mb)) {
		return fmt.Sprintf("%d MB", int64(mb))
	}
	return strings.Replace(fmt.Sprintf("%.1f MB", mb), ".", ",", 1)
}

// FormatFileSize writes a file's size for a list: "240 KB" below a megabyte, else FormatMB.
func FormatFileSize(n int64) string {
	if n < 1<<20 {
		return strconv.FormatInt((n+1023)/1024, 10) + " KB"
	}
	return FormatMB(n)
}

// CheckPDFHead checks the first bytes of an upload: "" when it starts like a PDF,
// "empty" for no bytes, "not_pdf" otherwise. The check is strict: "%PDF-" and a version
// digit at byte 0, no BOM or whitespace before it, so an HTML or script file that merely
// contains "%PDF-" later (a polyglot) is refused; real PDF writers always start at byte 0.
func CheckPDFHead(head []byte) string {
	switch {
	case len(head) == 0:
		return "empty"
	case len(head) < len(PdfMagic)+1 || !bytes.HasPrefix(head, []byte(PdfMagic)) || !isDigit(head[len(PdfMagic)]):
		return "not_pdf"
	}
	return ""
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// HasPDFTrailer reports whether the end of a file (its last bytes) holds the "%%EOF"
// marker that ends every complete PDF; a cut-off upload lacks it.
func HasPDFTrailer(tail []byte) bool {
	if len(tail) > pdfTrailerWindow {
		tail = tail[len(tail)-pdfTrailerWindow:]
	}
	return bytes.Contains(tail, []byte("%%EOF"))
}

// CheckPDF checks a complete small content in memory (tests, generated documents):
// "" when it is a PDF, else the code of FileError.
func CheckPDF(content []byte) string {
	head := content
	if len(head) > 16 {
		head = head[:16]
	}
	if code := CheckPDFHead(head); code != "" {
		return code
	}
	if !HasPDFTrailer(content) {
		return "truncated"
	}
	return ""
}

// TailBuffer keeps the last pdfTrailerWindow bytes written to it.
type TailBuffer struct {
	buf []byte
}

func (t *TailBuffer) Write(p []byte) (int, error) {
	n := len(p)
	if len(p) >= pdfTrailerWindow {
		t.buf = append(t.buf[:0], p[len(p)-pdfTrailerWindow:]...)
		return n, nil
	}
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - pdfTrailerWindow; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return n, nil
}

// Bytes returns the kept tail.
func (t *TailBuffer) Bytes() []byte { return t.buf }

// windowsReserved are characters Windows forbids in file names; they become "_".
const windowsReserved = `<>:"|?*`

// SanitizeFilename turns a client-supplied file name into a safe display name: only the
// last path component (both / and \ separate), NFC-normalised (umlauts kept, composed),
// without control characters, bidi controls (U+202A–U+202E, U+2066–U+2069, marks) or other
// invisible format characters, Windows-reserved characters replaced by "_", runs of spaces
// collapsed, leading dots and spaces and trailing dots and spaces removed, and at most
// MaxFilenameRunes runes (the extension is kept when shortening). It may return "".
func SanitizeFilename(name string) string {
	name = strings.ToValidUTF8(name, "")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = norm.NFC.String(name)
	var b strings.Builder
	space := false
	for _, r := range name {
		switch {
		case unicode.IsSpace(r):
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError:
			continue
		case strings.ContainsRune(windowsReserved, r):
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
		space = false
	}
	name = strings.TrimLeft(b.String(), ". ")
	name = strings.TrimRight(name, ". ")
	if utf8.RuneCountInString(name) > MaxFilenameRunes {
		ext := path.Ext(name)
		if utf8.RuneCountInString(ext) > 10 {
			ext = ""
		}
		stem := []rune(strings.TrimSuffix(name, ext))
		stem = stem[:MaxFilenameRunes-utf8.RuneCountInString(ext)]
		name = strings.TrimRight(string(stem), ". ") + ext
	}
	return name
}

// StoredName is the sanitised name of an uploaded PDF, "dokument.pdf" when nothing is
// left, with ".pdf" appended when the name lacks it (the content is a PDF in any case).
func StoredName(raw string) string {
	name := SanitizeFilename(raw)
	if name == "" {
		return "dokument.pdf"
	}
	if !strings.EqualFold(path.Ext(name), ".pdf") {
		if utf8.RuneCountInString(name) > MaxFilenameRunes-4 {
			name = string([]rune(name)[:MaxFilenameRunes-4])
		}
		name += ".pdf"
	}
	return name
}
