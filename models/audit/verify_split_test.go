package audit

import (
	"fmt"
	"testing"
)

// TestSegmentsJoinToTheSequentialVerification cuts chains with every kind of damage at
// every point into two segments and checks that joining them gives what one walk gives.
func TestSegmentsJoinToTheSequentialVerification(t *testing.T) {
	t.Parallel()
	type row struct {
		seq        int64
		prev, hash string
		ok         bool
	}
	intact := func(n int) []row {
		rows := make([]row, n)
		prev := GenesisHash
		for i := range rows {
			rows[i] = row{seq: int64(i + 1), prev: prev, hash: fmt.Sprintf("h%d", i+1), ok: true}
			prev = rows[i].hash
		}
		return rows
	}
	damages := map[string]func([]row) []row{
		"intact":        func(r []row) []row { return r },
		"content at 3":  func(r []row) []row { r[2].ok = false; return r },
		"link at 4":     func(r []row) []row { r[3].prev = "x"; return r },
		"gap at 5":      func(r []row) []row { return append(r[:4:4], r[5:]...) },
		"gap at 1":      func(r []row) []row { return r[1:] },
		"last missing":  func(r []row) []row { return r[:len(r)-1] },
		"two problems":  func(r []row) []row { r[5].ok = false; r[1].prev = "y"; return r },
		"link and gap":  func(r []row) []row { r[6].prev = "z"; return append(r[:2:2], r[3:]...) },
		"content first": func(r []row) []row { r[0].ok = false; r[7].prev = "w"; return r },
		"empty":         func([]row) []row { return nil },
	}
	head := chainHead{chain: "c", seq: 8, hash: "h8", exists: true}
	for name, damage := range damages {
		rows := damage(intact(8))
		whole := newChainCheck("c")
		for _, r := range rows {
			whole.add(r.seq, []byte(r.prev), []byte(r.hash), r.ok)
		}
		want := whole.finish(head)
		for cut := 0; cut <= len(rows); cut++ {
			var first, second segment
			for i, r := range rows {
				seg := &first
				if i >= cut {
					seg = &second
				}
				seg.entry(&rawEntry{seq: r.seq, prevHash: []byte(r.prev), hash: []byte(r.hash)}, r.ok)
			}
			c := newChainCheck("c")
			first.joinTo(c)
			second.joinTo(c)
			if got := c.finish(head); got != want {
				t.Errorf("%s cut at %d: %+v, one walk %+v", name, cut, got, want)
			}
		}
	}
}
