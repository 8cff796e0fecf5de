// Package pdf builds kimibv's issued documents (Bekanntmachung, Eingangsbestätigung,
// Öffnungsprotokoll, …) as PDF views on codeberg.org/go-pdf/fpdf: A4 pages (portrait, or
// landscape with the Landscape option for wide tables) with the margins of DIN 5008,
// DejaVu Sans embedded as a subset so that every German (and Turkish, Polish, …)
// character survives, a footer on every page with "Seite x von y",
// the document's check value (Prüfwert) and the audit chain head at issue.
//
// Two kinds of document: records (New: letterhead, title block, numbered sections) and
// letters to a party (NewLetter: DIN 5008 form B with letterhead, return address and
// recipient in the address field 45 mm from the top, information block with reference,
// contact and date to its right, subject line, salutation; Closing ends them with the
// greeting and the signing office). Both share the body primitives.
//
// Layout rules every document keeps: a heading is drawn only together with the first
// lines of its content, so it never stands alone at the foot of a page (keep); a table's
// column is at least as wide as the longest word of its heading, and headings wrap only
// at spaces and after existing hyphens, never inside a word (columnWidths, wrapWords).
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
