// Package pdf builds kimibv's issued documents (Bekanntmachung, Eingangsbestätigung,
// Öffnungsprotokoll, …) as PDF views on codeberg.org/go-pdf/fpdf: A4 pages laid out
// roughly after DIN 5008, DejaVu Sans embedded as a subset so that every German (and
// Turkish, Polish, …) character survives, a footer on every page with the page count,
// the document's check value (Prüfwert) and the audit chain head at issue.
//
// Output is deterministic: the same Meta and the same calls give byte-identical PDFs
// (fixed creation date, sorted resource catalogues, no random document id).
//
// Text is only ever drawn as text: no method interprets markup, so user input such
// as "<script>" or "%PDF-" appears literally in the document.
//
// Layer: a toolkit without domain knowledge. It imports no kimibv package.
//
// Rules of docs/rules.md: R8 — the footer with Prüfwert and chain head, and the
// determinism that lets a document be re-rendered to the same bytes.
package pdf
