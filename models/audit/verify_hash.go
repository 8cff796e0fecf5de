package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"time"
	"unicode/utf8"
)

// hasher recomputes entry hashes with its own scratch space.
type hasher struct {
	buf   []byte
	day   int64
	date  []byte
	dated bool
}

// matches reports whether e's stored hash is the SHA-256 of its canonical encoding.
func (h *hasher) matches(e *rawEntry) bool {
	h.buf = h.appendCanonical(h.buf[:0], e)
	sum := sha256.Sum256(h.buf)
	var hx [2 * sha256.Size]byte
	hex.Encode(hx[:], sum[:])
	return bytes.Equal(hx[:], e.hash)
}

// appendCanonical appends exactly the bytes CanonicalEntry returns for e.
func (h *hasher) appendCanonical(dst []byte, e *rawEntry) []byte {
	dst = append(dst, `["kimibv-audit-v1",`...)
	dst = appendJSONString(dst, e.chain)
	dst = append(dst, ',')
	dst = strconv.AppendInt(dst, e.seq, 10)
	dst = append(dst, ',', '"')
	dst = h.appendTime(dst, e.micros)
	dst = append(dst, '"', ',')
	dst = appendOptionalInt(dst, e.actor, e.hasActor)
	dst = append(dst, ',')
	dst = appendOptionalInt(dst, e.tenant, e.hasTenant)
	for _, s := range [...][]byte{e.action, e.objectType, e.objectID, e.details, e.prevHash} {
		dst = append(dst, ',')
		dst = appendJSONString(dst, s)
	}
	return append(dst, ']')
}

func appendOptionalInt(dst []byte, n int64, valid bool) []byte {
	if !valid {
		return append(dst, "null"...)
	}
	return strconv.AppendInt(dst, n, 10)
}

// pgEpochMicros is 2000-01-01 00:00:00 UTC, PostgreSQL's epoch, in Unix microseconds.
const (
	pgEpochMicros = 946_684_800 * 1_000_000
	dayMicros     = 86_400 * 1_000_000
)

// appendTime appends a timestamptz (microseconds since PostgreSQL's epoch) in
// AuditTimeLayout. The date part comes from the time package and is kept per day.
func (h *hasher) appendTime(dst []byte, micros int64) []byte {
	unix := micros + pgEpochMicros
	day := unix / dayMicros
	rem := unix % dayMicros
	if rem < 0 {
		day, rem = day-1, rem+dayMicros
	}
	if !h.dated || day != h.day {
		h.date = time.Unix(day*86_400, 0).UTC().AppendFormat(h.date[:0], "2006-01-02T")
		h.day, h.dated = day, true
	}
	dst = append(dst, h.date...)
	sec := rem / 1_000_000
	dst = append2(dst, sec/3600)
	dst = append(dst, ':')
	dst = append2(dst, sec/60%60)
	dst = append(dst, ':')
	dst = append2(dst, sec%60)
	dst = append(dst, '.')
	us := rem % 1_000_000
	for div := int64(100_000); div > 0; div /= 10 {
		dst = append(dst, byte('0'+us/div%10))
	}
	return append(dst, 'Z')
}

func append2(dst []byte, n int64) []byte { return append(dst, byte('0'+n/10), byte('0'+n%10)) }

// appendJSONString appends s as encoding/json writes a string (HTML-safe escaping,
// invalid UTF-8 as U+FFFD, U+2028 and U+2029 escaped). Runs of plain bytes are found
// eight at a time and copied in one piece.
func appendJSONString(dst, s []byte) []byte {
	dst = append(dst, '"')
	for len(s) > 0 {
		i := 0
		for i+8 <= len(s) && !needsEscape8(binary.LittleEndian.Uint64(s[i:])) {
			i += 8
		}
		for i < len(s) && plainJSON(s[i]) {
			i++
		}
		dst = append(dst, s[:i]...)
		if s = s[i:]; len(s) == 0 {
			break
		}
		if b := s[0]; b < utf8.RuneSelf {
			switch b {
			case '"', '\\':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			s = s[1:]
			continue
		}
		r, size := utf8.DecodeRune(s)
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			dst = append(dst, s[:size]...)
		}
		s = s[size:]
	}
	return append(dst, '"')
}

// plainJSON reports whether encoding/json copies the byte b unchanged into a string.
func plainJSON(b byte) bool {
	return b >= 0x20 && b < utf8.RuneSelf && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&'
}

const hexDigits = "0123456789abcdef"

// needsEscape8 reports whether any of the 8 bytes in x is not copied as it is into a JSON
// string: a byte of 0x80 or more, a control character, '"', '\\', '<', '>' or '&'.
// Each test is the word-at-a-time "has a byte less than n" (exact for "any byte").
func needsEscape8(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	quote, backslash := x^ones*'"', x^ones*'\\'
	lt, gt, amp := x^ones*'<', x^ones*'>', x^ones*'&'
	return (x|(x-ones*0x20)&^x|(quote-ones)&^quote|(backslash-ones)&^backslash|
		(lt-ones)&^lt|(gt-ones)&^gt|(amp-ones)&^amp)&highs != 0
}
