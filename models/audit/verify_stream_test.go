package audit

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func TestAppendJSONStringEscapesLikeEncodingJSON(t *testing.T) {
	t.Parallel()
	cases := []string{"", "plain", `quote " and \ backslash`, "tab\tnewline\nreturn\r", "\b\f\v\x00\x1f\x7f",
		"<script>&amp;</script>", "äöü ß € 𝄞 日本", "\u2028\u2029", "\ufffd", "\xff\xfe", "ab\xc3", "\xe2\x80",
		"\xed\xa0\x80", strings.Repeat("0123456789abcdef", 40), `{"a":"x\ty","b":[1,2],"c":null}`}
	for b := range 256 {
		cases = append(cases, string([]byte{byte(b)}))
		for pos := range 17 { // every position of the word-at-a-time test
			s := []byte(strings.Repeat("abcdefgh", 3))
			s[pos] = byte(b)
			cases = append(cases, string(s))
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		s := make([]byte, rng.IntN(40))
		for i := range s {
			s[i] = byte(rng.IntN(256))
			if rng.IntN(2) == 0 {
				alphabet := []byte("aZ0 \"\\<>&\t\n\xe2\x80\xa8\xc3\xa4")
				s[i] = alphabet[rng.IntN(len(alphabet))]
			}
		}
		cases = append(cases, string(s))
	}
	for _, s := range cases {
		want, _ := json.Marshal(s)
		if got := appendJSONString([]byte("x"), []byte(s)); string(got[1:]) != string(want) {
			t.Errorf("%q: got %s want %s", s, got[1:], want)
		}
	}
}

func TestAppendCanonicalMatchesCanonicalEntry(t *testing.T) {
	t.Parallel()
	actor, tenant, negative := int64(42), int64(7), int64(-3)
	base := AuditEntry{Chain: "kreis:7", Seq: 12, CreatedAt: time.Date(2026, 11, 21, 8, 59, 3, 123456000, time.UTC),
		ActorID: &actor, TenantID: &tenant, Action: "bid.submitted", ObjectType: "bid", ObjectID: "99",
		Details: `{"n":1,"version":2}`, PrevHash: GenesisHash}
	cases := map[string]func(e *AuditEntry){
		"plain":         func(*AuditEntry) {},
		"no actor":      func(e *AuditEntry) { e.ActorID = nil },
		"no tenant":     func(e *AuditEntry) { e.TenantID = nil },
		"neither":       func(e *AuditEntry) { e.ActorID, e.TenantID = nil, nil },
		"negative id":   func(e *AuditEntry) { e.ActorID = &negative },
		"special chars": func(e *AuditEntry) { e.Details = "{\"t\":\"a\tb\nc\\\\d\\\"e\r\"}" },
		"unicode": func(e *AuditEntry) {
			e.Details = `{"name":"Träger für Integration – 𝄞 \u2028"}`
			e.ObjectID = "ä<&>"
		},
		"empty strings":  func(e *AuditEntry) { e.ObjectType, e.ObjectID, e.Details = "", "", "" },
		"midnight":       func(e *AuditEntry) { e.CreatedAt = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) },
		"last µs of day": func(e *AuditEntry) { e.CreatedAt = time.Date(2025, 12, 31, 23, 59, 59, 999999000, time.UTC) },
		"before 2000":    func(e *AuditEntry) { e.CreatedAt = time.Date(1999, 12, 31, 23, 59, 59, 1000, time.UTC) },
		"before 1970":    func(e *AuditEntry) { e.CreatedAt = time.Date(1969, 7, 20, 20, 17, 40, 0, time.UTC) },
		"year 300":       func(e *AuditEntry) { e.CreatedAt = time.Date(300, 2, 28, 12, 0, 0, 5000, time.UTC) },
		"other zone":     func(e *AuditEntry) { e.CreatedAt = e.CreatedAt.In(time.FixedZone("CET", 3600)) },
		"big seq":        func(e *AuditEntry) { e.Seq = 1<<62 + 5 },
		"invalid utf8":   func(e *AuditEntry) { e.Action = "x\xffy" },
	}
	for name, change := range cases {
		e := base
		change(&e)
		raw := rawFromEntry(e)
		var h hasher
		if got := h.appendCanonical(nil, &raw); string(got) != string(CanonicalEntry(e)) {
			t.Errorf("%s:\n got %s\nwant %s", name, got, CanonicalEntry(e))
		}
		raw.hash = []byte(EntryHash(e))
		if !h.matches(&raw) {
			t.Errorf("%s: the stored hash does not match", name)
		}
	}
}

func TestCopyParserReadsRowsSplitAcrossWrites(t *testing.T) {
	t.Parallel()
	var entries []AuditEntry
	actor := int64(5)
	for i := range 5000 {
		e := AuditEntry{Chain: "call:" + string(rune('a'+i/1000)), Seq: int64(i + 1), CreatedAt: time.Unix(1_700_000_000+int64(i), 0).UTC(),
			Action: "x", Details: strings.Repeat("d", i%300), PrevHash: GenesisHash, Hash: EntryHash(AuditEntry{Seq: int64(i)})}
		if i%3 == 0 {
			e.ActorID = &actor
		}
		entries = append(entries, e)
	}
	stream := encodeBinaryCopy(entries)
	rng := rand.New(rand.NewPCG(3, 4))
	for _, chunk := range []int{1, 7, 300, 1 << 16, len(stream)} {
		var got []rawEntry
		p := &copyParser{
			dispatch: func(b *batch) { got = append(got, b.entries...) },
			fresh:    func() *batch { return &batch{buf: make([]byte, 0, 4096), entries: make([]rawEntry, 0, 100)} },
		}
		for rest := stream; len(rest) > 0; {
			n := min(len(rest), 1+rng.IntN(chunk))
			if _, err := p.Write(rest[:n]); err != nil {
				t.Fatalf("chunk %d: %v", chunk, err)
			}
			rest = rest[n:]
		}
		if err := p.finish(); err != nil {
			t.Fatalf("chunk %d: %v", chunk, err)
		}
		if len(got) != len(entries) {
			t.Fatalf("chunk %d: %d rows, want %d", chunk, len(got), len(entries))
		}
		for i, e := range entries {
			want := rawFromEntry(e)
			want.hash = []byte(e.Hash)
			if g := got[i]; g.seq != want.seq || g.micros != want.micros || g.hasActor != want.hasActor || g.actor != want.actor ||
				g.hasTenant || !bytes.Equal(g.chain, want.chain) || !bytes.Equal(g.details, want.details) || !bytes.Equal(g.hash, want.hash) {
				t.Fatalf("chunk %d row %d: %+v want %+v", chunk, i, g, want)
			}
		}
	}
	p := &copyParser{dispatch: func(*batch) {}, fresh: func() *batch { return &batch{} }}
	if _, err := p.Write(stream[:len(stream)-2]); err != nil || p.finish() == nil {
		t.Fatalf("a stream without its trailer is accepted: %v", err)
	}
}

func BenchmarkHasherMatches(b *testing.B) {
	actor, tenant := int64(42), int64(7)
	e := AuditEntry{Chain: "bench:1m", Seq: 123456, CreatedAt: time.Date(2026, 11, 21, 8, 59, 3, 123456000, time.UTC),
		ActorID: &actor, TenantID: &tenant, Action: "bench.entry", ObjectType: "bid", ObjectID: "123456",
		Details: `{"n":123456,"version":0}`, PrevHash: EntryHash(AuditEntry{})}
	raw := rawFromEntry(e)
	raw.hash = []byte(EntryHash(e))
	var h hasher
	b.SetBytes(int64(len(CanonicalEntry(e))))
	for b.Loop() {
		if !h.matches(&raw) {
			b.Fatal("mismatch")
		}
	}
}

// rawFromEntry is the row as the COPY stream delivers it.
func rawFromEntry(e AuditEntry) rawEntry {
	r := rawEntry{chain: []byte(e.Chain), seq: e.Seq, micros: e.CreatedAt.UnixMicro() - pgEpochMicros,
		action: []byte(e.Action), objectType: []byte(e.ObjectType), objectID: []byte(e.ObjectID),
		details: []byte(e.Details), prevHash: []byte(e.PrevHash), hash: []byte(e.Hash)}
	if e.ActorID != nil {
		r.actor, r.hasActor = *e.ActorID, true
	}
	if e.TenantID != nil {
		r.tenant, r.hasTenant = *e.TenantID, true
	}
	return r
}

// encodeBinaryCopy writes entries as PostgreSQL's binary COPY format does.
func encodeBinaryCopy(entries []AuditEntry) []byte {
	out := append([]byte(nil), copySignature...)
	out = binary.BigEndian.AppendUint32(out, 0)
	out = binary.BigEndian.AppendUint32(out, 0)
	text := func(s string) {
		out = binary.BigEndian.AppendUint32(out, uint32(len(s)))
		out = append(out, s...)
	}
	int8 := func(n *int64) {
		if n == nil {
			out = binary.BigEndian.AppendUint32(out, 0xffffffff)
			return
		}
		out = binary.BigEndian.AppendUint32(out, 8)
		out = binary.BigEndian.AppendUint64(out, uint64(*n))
	}
	for _, e := range entries {
		out = binary.BigEndian.AppendUint16(out, 11)
		micros := e.CreatedAt.UnixMicro() - pgEpochMicros
		text(e.Chain)
		int8(&e.Seq)
		int8(&micros)
		int8(e.ActorID)
		int8(e.TenantID)
		for _, s := range []string{e.Action, e.ObjectType, e.ObjectID, e.Details, e.PrevHash, e.Hash} {
			text(s)
		}
	}
	return binary.BigEndian.AppendUint16(out, 0xffff)
}
