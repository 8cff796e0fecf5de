package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kimibv/models/dbtest"
	"kimibv/models/store"
)

// TestUnsafeModesAreRefusedOnlyInProduction: the demonstration and the benchmark aids
// are refused in production and allowed in development; other commands and serve
// without KIMIBV_BENCH are not affected.
func TestUnsafeModesAreRefusedOnlyInProduction(t *testing.T) {
	for _, tt := range []struct {
		env, command string
		bench        bool
		refused      bool
	}{
		{"production", "demo", false, true},
		{"production", "serve", true, true},
		{"production", "serve", false, false},
		{"production", "migrate", true, false},
		{"development", "demo", false, false},
		{"development", "serve", true, false},
	} {
		err := refuseUnsafeInProduction(config{Env: tt.env, Bench: tt.bench}, tt.command)
		if (err != nil) != tt.refused {
			t.Errorf("KIMIBV_ENV=%s kimibv %s (bench %v): %v, want refused %v", tt.env, tt.command, tt.bench, err, tt.refused)
		}
	}
}

// TestRefusedInProductionWithoutTouchingTheDatabase runs the binary's main as a child
// process on an empty database: `kimibv demo` with KIMIBV_ENV=production or unset, and
// `kimibv serve` with KIMIBV_BENCH=1, exit with status 1, say on stderr what was refused,
// why and what to do instead, print nothing on stdout and create not even the schema.
func TestRefusedInProductionWithoutTouchingTheDatabase(t *testing.T) {
	admin := dbtest.AdminURL(t)
	key := filepath.Join(t.TempDir(), "master.key")
	dbtest.WriteMasterKey(t, key)
	for i, tt := range []struct {
		name string
		args []string
		env  []string
		want []string
	}{
		{"demo in production", []string{"demo", "--defer-procedures"}, []string{"KIMIBV_ENV=production"},
			[]string{"kimibv: refused to load the demonstration", "KIMIBV_ENV is production", "password is published", "KIMIBV_ENV=development", "kimibv user create --platform-admin"}},
		{"demo without KIMIBV_ENV", []string{"demo"}, nil,
			[]string{"kimibv: refused to load the demonstration", "the default when it is not set"}},
		{"serve with KIMIBV_BENCH=1 in production", []string{"serve"}, []string{"KIMIBV_ENV=production", "KIMIBV_BENCH=1", "KIMIBV_LISTEN=127.0.0.1:0"},
			[]string{"kimibv: refused to start with KIMIBV_BENCH=1", "KIMIBV_ENV is production", "profiler", "without a login", "Remove KIMIBV_BENCH"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			name := fmt.Sprintf("t_%d_refused_%d", os.Getpid(), i)
			execSQL(t, admin, `CREATE DATABASE `+name)
			t.Cleanup(func() { execSQL(t, admin, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`) })
			url := dbtest.WithDatabase(admin, name)

			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestMainAsChildProcess$")
			cmd.Env = append(environWithout("KIMIBV_", "DATABASE_URL"), "KIMIBV_TEST_MAIN_ARGS="+strings.Join(tt.args, " "),
				"DATABASE_URL="+url, "KIMIBV_MASTER_KEY_FILE="+key, "KIMIBV_LOG_LEVEL=error")
			cmd.Env = append(cmd.Env, tt.env...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 1 {
				t.Fatalf("exit: %v, want status 1\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr.String())
				}
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout:\n%s", stdout.String())
			}
			st, err := store.Open(context.Background(), url, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			var tables int64
			if err := st.DB.Raw(`SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&tables).Error; err != nil {
				t.Fatal(err)
			}
			if tables != 0 {
				t.Errorf("the refused command created %d tables", tables)
			}
		})
	}
}

// TestMainAsChildProcess is no test of its own: started by a test above with
// KIMIBV_TEST_MAIN_ARGS, it runs main with those arguments in this child process.
func TestMainAsChildProcess(t *testing.T) {
	args := os.Getenv("KIMIBV_TEST_MAIN_ARGS")
	if args == "" {
		t.Skip("runs only as the child process of another test")
	}
	os.Args = append([]string{"kimibv"}, strings.Fields(args)...)
	main()
}

// environWithout is the test's environment without the variables that begin with one of
// the prefixes.
func environWithout(prefixes ...string) []string {
	var out []string
	for _, kv := range os.Environ() {
		keep := true
		for _, p := range prefixes {
			if strings.HasPrefix(kv, p) {
				keep = false
			}
		}
		if keep {
			out = append(out, kv)
		}
	}
	return out
}
