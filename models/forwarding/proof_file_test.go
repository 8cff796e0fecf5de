package forwarding

import (
	"testing"
	"time"
)

// TestFileHistoryDatesEachReceiptFromTheChangeThatBroughtIt: the PDF sent with the proof
// came in at the submission; each later PDF at the change that brought it, and a replaced
// PDF is dated replaced by the next change; a PDF added to a proof sent without one has no
// predecessor. The lead's note says "ersetzt" or "nachgereicht" with the latest time.
func TestFileHistoryDatesEachReceiptFromTheChangeThatBroughtIt(t *testing.T) {
	sub := time.Date(2028, 2, 1, 10, 0, 0, 0, time.UTC)
	t1, t2 := sub.Add(24*time.Hour), sub.Add(48*time.Hour)
	a, b, c := ProofFile{ID: 1, Name: "a.pdf"}, ProofFile{ID: 2, Name: "b.pdf"}, ProofFile{ID: 3, Name: "c.pdf"}
	type dated struct {
		ID       int64
		Uploaded time.Time
		Replaced time.Time // zero: current
	}
	for _, tc := range []struct {
		name     string
		current  *ProofFile
		changes  []fileChange
		wantCur  *dated
		wantOld  []dated
		wantNote string
	}{
		{name: "no PDF, no change", current: nil},
		{name: "the PDF of the submission", current: &a, wantCur: &dated{ID: 1, Uploaded: sub}},
		{name: "replaced once", current: &b, changes: []fileChange{{ChangedAt: t1, Old: a}},
			wantCur: &dated{ID: 2, Uploaded: t1}, wantOld: []dated{{1, sub, t1}}, wantNote: "ersetzt am 02.02.2028 11:00 Uhr"},
		{name: "replaced twice", current: &c, changes: []fileChange{{ChangedAt: t1, Old: a}, {ChangedAt: t2, Old: b}},
			wantCur: &dated{ID: 3, Uploaded: t2}, wantOld: []dated{{1, sub, t1}, {2, t1, t2}}, wantNote: "ersetzt am 03.02.2028 11:00 Uhr"},
		{name: "added to a proof sent without", current: &a, changes: []fileChange{{ChangedAt: t1}},
			wantCur: &dated{ID: 1, Uploaded: t1}, wantNote: "nachgereicht am 02.02.2028 11:00 Uhr"},
		{name: "added, then replaced", current: &b, changes: []fileChange{{ChangedAt: t1}, {ChangedAt: t2, Old: a}},
			wantCur: &dated{ID: 2, Uploaded: t2}, wantOld: []dated{{1, t1, t2}}, wantNote: "ersetzt am 03.02.2028 11:00 Uhr"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cur, old := fileHistory(sub, tc.current, tc.changes)
			switch {
			case (cur == nil) != (tc.wantCur == nil):
				t.Fatalf("current %+v, want %+v", cur, tc.wantCur)
			case cur != nil && (cur.ID != tc.wantCur.ID || !cur.Uploaded.Equal(tc.wantCur.Uploaded) || cur.Replaced != nil):
				t.Errorf("current %+v, want %+v", cur, tc.wantCur)
			}
			if len(old) != len(tc.wantOld) {
				t.Fatalf("%d replaced files, want %d", len(old), len(tc.wantOld))
			}
			for i, w := range tc.wantOld {
				if o := old[i]; o.ID != w.ID || !o.Uploaded.Equal(w.Uploaded) || o.Replaced == nil || !o.Replaced.Equal(w.Replaced) {
					t.Errorf("replaced file %d: %+v, want %+v", i, o, w)
				}
			}
			p := Proof{SubmittedAt: sub, File: cur, Superseded: old}
			if got := p.FileNote(); got != tc.wantNote {
				t.Errorf("note %q, want %q", got, tc.wantNote)
			}
			if tc.current != nil && tc.current.Uploaded != (time.Time{}) {
				t.Error("fileHistory changed the loaded file")
			}
		})
	}
}
