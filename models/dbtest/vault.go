package dbtest

import (
	"os"
	"testing"

	"kimibv/models/store"
	"kimibv/models/vault"
)

// testMasterKey is the master key of test databases: the cached demo template is loaded
// with it (its demo bids are encrypted to it), and test apps use it to read them. It
// protects nothing real; it exists only for tests.
const testMasterKey = "AGE-SECRET-KEY-1SAT8KCCJM5WDZ0AYDHJ00N0504ULPQ78YFFPXP5C7NPK8CQ2059QG7WP0Z"

// Vault returns the vault of test databases (the same key for every test and the demo template).
func Vault(t testing.TB) *vault.Vault {
	t.Helper()
	v, err := testVault()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func testVault() (*vault.Vault, error) { return vault.NewVault(testMasterKey) }

// bindVault binds the test vault to a test store (vault.BindVault), as the application
// and the commands bind theirs: the outbox, the Postfach and documents to organisations
// are sealed with it.
func bindVault(t testing.TB, st *store.Store) {
	t.Helper()
	if err := vault.BindVault(st.DB, Vault(t)); err != nil {
		t.Fatal(err)
	}
}

// WriteMasterKey writes the test master key to path (mode 0600) for a kimibv process a
// test starts on a test database: its data keys are wrapped to this key.
func WriteMasterKey(t testing.TB, path string) {
	t.Helper()
	content := "# kimibv test master key (protects nothing real)\n" + testMasterKey + "\n"
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
