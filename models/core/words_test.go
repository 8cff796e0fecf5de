package core_test

import (
	"testing"

	"kimibv/models/core"
)

func TestQuantityChoosesSingularOnlyForOne(t *testing.T) {
	t.Parallel()
	for n, want := range map[int]string{0: "0 Nachrichten", 1: "1 Nachricht", 2: "2 Nachrichten", 21: "21 Nachrichten"} {
		if got := core.Quantity(n, "Nachricht", "Nachrichten"); got != want {
			t.Errorf("%d: got %q, want %q", n, got, want)
		}
	}
}
