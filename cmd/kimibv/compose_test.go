package main

import (
	"context"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

// loadCompose loads a compose file of the repository root with the Compose specification
// loader (the one docker compose uses); it returns the project and the root.
func loadCompose(t *testing.T, name string) (*types.Project, string) {
	t.Helper()
	_, here, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the test file")
	}
	root := filepath.Join(filepath.Dir(here), "..", "..")
	file := filepath.Join(root, name)

	opts, err := cli.NewProjectOptions([]string{file},
		cli.WithWorkingDirectory(root),
		cli.WithEnv([]string{}), // defaults from the file, not the test machine's environment
		cli.WithInterpolation(true),
	)
	if err != nil {
		t.Fatalf("project options: %v", err)
	}
	project, err := opts.LoadProject(context.Background())
	if err != nil {
		t.Fatalf("load %s: %v", file, err)
	}
	return project, root
}

// TestComposeFile loads docker-compose.yml and checks what the deployment relies on.
func TestComposeFile(t *testing.T) {
	project, root := loadCompose(t, "docker-compose.yml")

	db, err := project.GetService("db")
	if err != nil {
		t.Fatalf("service db: %v", err)
	}
	app, err := project.GetService("app")
	if err != nil {
		t.Fatalf("service app: %v", err)
	}

	if !strings.HasPrefix(db.Image, "postgres:15") {
		t.Errorf("db image = %q, want postgres:15*", db.Image)
	}
	if db.HealthCheck == nil || db.HealthCheck.Disable || len(db.HealthCheck.Test) == 0 {
		t.Errorf("db has no health check: %+v", db.HealthCheck)
	} else if !strings.Contains(strings.Join(db.HealthCheck.Test, " "), "pg_isready") {
		t.Errorf("db health check %q does not use pg_isready", db.HealthCheck.Test)
	}

	var dataVolume *types.ServiceVolumeConfig
	for i, v := range db.Volumes {
		if v.Target == "/var/lib/postgresql/data" {
			dataVolume = &db.Volumes[i]
		}
	}
	switch {
	case dataVolume == nil:
		t.Errorf("db has no volume at /var/lib/postgresql/data")
	case dataVolume.Type != types.VolumeTypeVolume:
		t.Errorf("db data volume type = %q, want a named volume", dataVolume.Type)
	default:
		if _, ok := project.Volumes[dataVolume.Source]; !ok {
			t.Errorf("db data volume %q is not declared under top-level volumes", dataVolume.Source)
		}
	}

	dep, ok := app.DependsOn["db"]
	if !ok {
		t.Errorf("app does not depend on db")
	} else if dep.Condition != types.ServiceConditionHealthy {
		t.Errorf("app depends on db with condition %q, want %q", dep.Condition, types.ServiceConditionHealthy)
	}

	// The master key comes from the keys volume, created by the keygen service first.
	if kg, ok := app.DependsOn["keygen"]; !ok || kg.Condition != types.ServiceConditionCompletedSuccessfully {
		t.Errorf("app does not wait for the keygen service to complete: %+v", app.DependsOn)
	}
	if key := app.Environment["KIMIBV_MASTER_KEY_FILE"]; key == nil || !strings.HasPrefix(*key, "/var/lib/kimibv/keys/") {
		t.Errorf("app KIMIBV_MASTER_KEY_FILE = %v, want a file on the keys volume", key)
	}
	keygen, ok := project.Services["keygen"]
	if !ok || len(keygen.Command) < 2 || keygen.Command[0] != "keygen" {
		t.Errorf("keygen service missing or not running `kimibv keygen`: %+v", keygen.Command)
	}
	for _, svc := range []types.ServiceConfig{app, keygen} {
		mounted := false
		for _, v := range svc.Volumes {
			if v.Source == "keys" && v.Target == "/var/lib/kimibv/keys" {
				mounted = true
			}
		}
		if !mounted {
			t.Errorf("service %s does not mount the keys volume", svc.Name)
		}
	}

	if app.Build == nil {
		t.Fatalf("app has no build section")
	}
	if got := filepath.ToSlash(app.Build.Dockerfile); got != "scripts/Dockerfile" {
		t.Errorf("app build dockerfile = %q, want scripts/Dockerfile", got)
	}
	absRoot, err := filepath.Abs(root)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Clean(app.Build.Context) != absRoot {
		t.Errorf("app build context = %q, want the repository root %q", app.Build.Context, absRoot)
	}

	if url := app.Environment["DATABASE_URL"]; url == nil || !strings.Contains(*url, "@db:5432/") {
		t.Errorf("app DATABASE_URL = %v, want a URL pointing at db:5432", url)
	}
	var published bool
	for _, p := range app.Ports {
		if p.Target == 8080 {
			published = true
		}
	}
	if !published {
		t.Errorf("app does not publish container port 8080")
	}
}
