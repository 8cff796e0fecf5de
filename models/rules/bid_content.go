package rules

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/shopspring/decimal"
	"golang.org/x/text/unicode/norm"
)

// BidFormat tags the canonical encoding; a future change of the encoding gets a new tag.
const BidFormat = "kimibv-bid-v1"

// BidContent is what a bid version freezes and what its content hash covers: the call
// and its version, the organisation, the posts (VZÄ) per lot, one answer per criterion,
// the self-declarations, the declaration of ties, the contact person and the SHA-256 of
// each document (by required-document key).
type BidContent struct {
	CallID       int64
	CallVersion  int
	OrgID        int64
	Lots         map[string]decimal.Decimal // lot key -> VZÄ (> 0); lots not applied for are absent
	Answers      map[string]string          // criterion key -> answer
	Declarations map[string]bool            // declaration key -> confirmed
	Ties         Ties
	Contact      Contact
	Documents    map[string]string // required-document key -> SHA-256 (hex) of the file
}

// Ties is the declaration of ties to Kreis staff or council members.
type Ties struct {
	Declared string // "none" or "some" ("" when not yet declared)
	Text     string // who and what kind of tie, when "some"
}

// CanonicalBid returns the deterministic bytes of c that are hashed and stored:
//
//   - one JSON object; every object's keys sorted by their UTF-8 bytes (Go's encoding of
//     maps); no insignificant whitespace; HTML characters not escaped;
//   - the format tag "format": "kimibv-bid-v1";
//   - ids and the call version as JSON integers;
//   - VZÄ as strings with exactly two decimals and a point ("1.50"): exact decimals, never
//     floating point, rounded half away from zero; lots with 0.00 VZÄ after rounding are
//     left out (so that decoding and encoding again gives the same bytes);
//   - keys as given (they must match [A-Za-z0-9_-]{1,40}, else an error);
//   - every text in Unicode NFC with line breaks normalised to "\n" and surrounding white
//     space trimmed, so that the same visible text always gives the same bytes;
//   - the e-mail address in lower case; hashes in lower-case hex.
//
// The content hash (BidSHA256) is the SHA-256 over exactly these bytes; anybody can
// re-compute it from a decrypted version.
func CanonicalBid(c BidContent) ([]byte, error) {
	for _, keys := range [][]string{mapKeys(c.Lots), mapKeys(c.Answers), mapKeys(c.Declarations), mapKeys(c.Documents)} {
		for _, k := range keys {
			if !bidKeyRe.MatchString(k) {
				return nil, fmt.Errorf("encode bid: invalid key %q", k)
			}
		}
	}
	lots := map[string]string{}
	for k, v := range c.Lots {
		if r := v.Round(2); r.Sign() > 0 {
			lots[k] = r.StringFixed(2)
		}
	}
	answers := map[string]string{}
	for k, v := range c.Answers {
		answers[k] = normText(v)
	}
	decl := map[string]bool{}
	for k, v := range c.Declarations {
		decl[k] = v
	}
	docs := map[string]string{}
	for k, v := range c.Documents {
		docs[k] = normLower(v)
	}
	doc := map[string]any{
		"format":       BidFormat,
		"call_id":      c.CallID,
		"call_version": c.CallVersion,
		"org_id":       c.OrgID,
		"lots":         lots,
		"answers":      answers,
		"declarations": decl,
		"ties":         map[string]string{"declared": normText(c.Ties.Declared), "text": normText(c.Ties.Text)},
		"contact": map[string]string{"name": normText(c.Contact.Name), "email": normLower(c.Contact.Email),
			"phone": normText(c.Contact.Phone)},
		"documents": docs,
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("encode bid: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// bidKeyRe is what keys of lots, criteria, declarations and documents look like ("L1",
// "K2", "E-1a2b3c4d", "U3"). Keys are never normalised, so two keys cannot collide.
var bidKeyRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,40}$`)

func mapKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// BidSHA256 returns the hex SHA-256 of the canonical encoding.
func BidSHA256(canonical []byte) string {
	sum := sha256.Sum256(canonical)
	return hex.EncodeToString(sum[:])
}

// normText is the text normalisation of the canonical encoding: valid UTF-8, NFC, "\n"
// line breaks, trimmed.
func normText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	return strings.TrimSpace(norm.NFC.String(s))
}

// normLower is normText of the lower-case text. Lower-casing comes first because it can
// undo NFC: "T\u0308" has no composed form, "t\u0308" composes to "ẗ".
func normLower(s string) string {
	return normText(strings.ToLower(s))
}

// canonicalDoc is the decoded form of the canonical encoding.
type canonicalDoc struct {
	Format       string            `json:"format"`
	CallID       int64             `json:"call_id"`
	CallVersion  int               `json:"call_version"`
	OrgID        int64             `json:"org_id"`
	Lots         map[string]string `json:"lots"`
	Answers      map[string]string `json:"answers"`
	Declarations map[string]bool   `json:"declarations"`
	Ties         map[string]string `json:"ties"`
	Contact      map[string]string `json:"contact"`
	Documents    map[string]string `json:"documents"`
}

// DecodeBid parses a canonical encoding back into BidContent (used when a sealed version
// is read after the opening). It refuses another format tag.
func DecodeBid(b []byte) (BidContent, error) {
	var d canonicalDoc
	if err := json.Unmarshal(b, &d); err != nil {
		return BidContent{}, fmt.Errorf("decode bid: %w", err)
	}
	if d.Format != BidFormat {
		return BidContent{}, fmt.Errorf("decode bid: unknown format %q", d.Format)
	}
	c := BidContent{CallID: d.CallID, CallVersion: d.CallVersion, OrgID: d.OrgID, Lots: map[string]decimal.Decimal{},
		Answers: d.Answers, Declarations: d.Declarations, Documents: d.Documents,
		Ties:    Ties{Declared: d.Ties["declared"], Text: d.Ties["text"]},
		Contact: Contact{Name: d.Contact["name"], Email: d.Contact["email"], Phone: d.Contact["phone"]}}
	for k, v := range d.Lots {
		x, err := decimal.NewFromString(v)
		if err != nil {
			return BidContent{}, fmt.Errorf("decode bid: lot %s: %w", k, err)
		}
		c.Lots[k] = x
	}
	return c, nil
}

// SortedLotKeys returns the keys of lots in order (for display).
func SortedLotKeys(lots map[string]decimal.Decimal) []string {
	keys := make([]string, 0, len(lots))
	for k := range lots {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
