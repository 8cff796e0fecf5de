package pdf

import (
	"strings"
	"unicode"
)

// words splits s into the pieces a heading may be broken between: at spaces and newlines,
// and after an existing hyphen ("Mindest-bewertung" gives "Mindest-" and "bewertung").
// Each piece keeps its hyphen; spaces are dropped. A newline is kept as the piece "\n".
func words(s string) []string {
	var out []string
	for i, line := range strings.Split(s, "\n") {
		if i > 0 {
			out = append(out, "\n")
		}
		for _, w := range strings.FieldsFunc(line, breakable) {
			for w != "" {
				cut := strings.IndexAny(w, "-‐")
				if cut <= 0 || cut == len(w)-1 {
					out = append(out, w)
					break
				}
				_, size := firstRune(w[cut:])
				out = append(out, w[:cut+size])
				w = w[cut+size:]
			}
		}
	}
	return out
}

// breakable reports whether a line may break at r: any space but the no-break space.
func breakable(r rune) bool { return unicode.IsSpace(r) && r != '\u00a0' && r != '\u202f' }

// firstRune returns the first rune of s and its length in bytes.
func firstRune(s string) (rune, int) {
	for i, r := range s {
		if i == 0 {
			return r, len(string(r))
		}
	}
	return 0, 0
}

// joinPiece appends piece to line: with a space, unless line ends in a hyphen piece.
func joinPiece(line, piece string) string {
	if line == "" {
		return piece
	}
	if strings.HasSuffix(line, "-") || strings.HasSuffix(line, "‐") {
		return line + piece
	}
	return line + " " + piece
}

// wrapWords breaks s into lines of at most w millimetres in the current font, only at
// spaces, newlines and after existing hyphens: a word is never split. A single piece wider
// than w stays whole on its own line (the caller sizes w with widestWord so that none is).
func (d *Doc) wrapWords(s string, w float64) []string {
	var lines []string
	line := ""
	for _, p := range words(s) {
		if p == "\n" {
			lines = append(lines, line)
			line = ""
			continue
		}
		next := joinPiece(line, p)
		if line != "" && d.f.GetStringWidth(next) > w {
			lines = append(lines, line)
			next = p
		}
		line = next
	}
	return append(lines, line)
}

// widestWord is the width in millimetres of the widest unbreakable piece of s in the
// current font.
func (d *Doc) widestWord(s string) float64 {
	var m float64
	for _, p := range words(s) {
		m = max(m, d.f.GetStringWidth(p))
	}
	return m
}
