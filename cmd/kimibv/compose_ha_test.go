package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/jackc/pgx/v5/pgconn"
)

// TestComposeHAFile loads docker-compose.ha.yml, the reference deployment, and checks
// what the failover relies on: a primary with synchronous commit naming the standby, a
// standby cloned with pg_basebackup -R under that name, two instances whose DATABASE_URL
// pgx parses into both hosts with target_session_attrs=read-write, and HAProxy checking
// /readyz of both, with a German 503 page of its own.
func TestComposeHAFile(t *testing.T) {
	project, _ := loadCompose(t, "docker-compose.ha.yml")
	svc := func(name string) types.ServiceConfig {
		t.Helper()
		s, err := project.GetService(name)
		if err != nil {
			t.Fatalf("service %s: %v", name, err)
		}
		return s
	}
	for _, name := range []string{"db-primary", "db-standby"} {
		db := svc(name)
		if !strings.HasPrefix(db.Image, "postgres:15") {
			t.Errorf("%s image = %q, want postgres:15*", name, db.Image)
		}
		if db.HealthCheck == nil || !strings.Contains(strings.Join(db.HealthCheck.Test, " "), "pg_isready") {
			t.Errorf("%s has no pg_isready health check", name)
		}
		if len(db.Volumes) != 1 || db.Volumes[0].Target != "/var/lib/postgresql/data" || project.Volumes[db.Volumes[0].Source].Name == "" {
			t.Errorf("%s does not keep its data on a declared named volume: %+v", name, db.Volumes)
		}
	}
	primary := strings.Join(svc("db-primary").Command, " ")
	if !strings.Contains(primary, "synchronous_standby_names=kimibv_standby") || !strings.Contains(primary, "synchronous_commit=on") {
		t.Errorf("db-primary command %q does not make commits wait for kimibv_standby", primary)
	}
	standby := strings.Join(svc("db-standby").Command, " ")
	for _, want := range []string{"pg_basebackup", " -R ", "host=db-primary", "application_name=kimibv_standby", "exec postgres"} {
		if !strings.Contains(standby, want) {
			t.Errorf("db-standby command lacks %q:\n%s", want, standby)
		}
	}
	if hba, ok := project.Configs["replication-hba"]; !ok || !strings.Contains(hba.Content, "host replication") {
		t.Errorf("no pg_hba.conf line for replication connections: %+v", hba)
	}

	for _, name := range []string{"app1", "app2"} {
		app := svc(name)
		url := app.Environment["DATABASE_URL"]
		if url == nil {
			t.Fatalf("%s has no DATABASE_URL", name)
		}
		cfg, err := pgconn.ParseConfig(*url)
		if err != nil {
			t.Fatalf("%s DATABASE_URL does not parse: %v", name, err)
		}
		hosts := []string{cfg.Host}
		for _, f := range cfg.Fallbacks {
			hosts = append(hosts, f.Host)
		}
		if !slices.Equal(hosts, []string{"db-primary", "db-standby"}) || cfg.ValidateConnect == nil || !strings.Contains(*url, "target_session_attrs=read-write") {
			t.Errorf("%s DATABASE_URL: hosts %v, target_session_attrs=read-write %v; want both hosts and read-write", name, hosts, cfg.ValidateConnect != nil)
		}
		if dep, ok := app.DependsOn["db-primary"]; !ok || dep.Condition != types.ServiceConditionHealthy {
			t.Errorf("%s does not wait for a healthy primary: %+v", name, app.DependsOn)
		}
		if kg, ok := app.DependsOn["keygen"]; !ok || kg.Condition != types.ServiceConditionCompletedSuccessfully {
			t.Errorf("%s does not wait for the keygen service: %+v", name, app.DependsOn)
		}
		if key := app.Environment["KIMIBV_MASTER_KEY_FILE"]; key == nil || !strings.HasPrefix(*key, "/var/lib/kimibv/keys/") {
			t.Errorf("%s KIMIBV_MASTER_KEY_FILE = %v, want a file on the keys volume", name, key)
		}
		if len(app.Ports) != 0 {
			t.Errorf("%s publishes ports %+v: only the proxy should", name, app.Ports)
		}
	}

	proxy := svc("proxy")
	if !strings.HasPrefix(proxy.Image, "haproxy:") {
		t.Errorf("proxy image = %q, want haproxy", proxy.Image)
	}
	if len(proxy.Ports) != 1 || proxy.Ports[0].Target != 8080 {
		t.Errorf("proxy ports = %+v, want 8080 published", proxy.Ports)
	}
	cfg := project.Configs["haproxy"].Content
	for _, want := range []string{"http-check send meth GET uri /readyz", "http-check expect status 200",
		"server app1 app1:8080 check", "server app2 app2:8080 check", "retry-on conn-failure", "errorfile 503"} {
		if !strings.Contains(cfg, want) {
			t.Errorf("haproxy.cfg lacks %q", want)
		}
	}
	page := project.Configs["haproxy-503"].Content
	if !strings.HasPrefix(page, "HTTP/1.0 503 ") || !strings.Contains(page, "Vorübergehend nicht erreichbar") || !strings.Contains(page, `lang="de"`) {
		t.Errorf("HAProxy's 503 page is not the German one:\n%s", page)
	}
	mounted := map[string]string{}
	for _, c := range proxy.Configs {
		mounted[c.Source] = c.Target
	}
	if mounted["haproxy"] != "/usr/local/etc/haproxy/haproxy.cfg" || !strings.Contains(cfg, mounted["haproxy-503"]) || mounted["haproxy-503"] == "" {
		t.Errorf("proxy mounts %v; want haproxy.cfg at the image's path and the 503 page where errorfile looks", mounted)
	}
	haproxyCheck(t, cfg, mounted["haproxy-503"], page)
}

// haproxyCheck runs `haproxy -c` on the configuration where HAProxy is installed (Debian's
// package; not needed otherwise): it parses the 503 page too. Unresolvable server names
// are only warnings there.
func haproxyCheck(t *testing.T, cfg, pagePath, page string) {
	bin, err := exec.LookPath("haproxy")
	if err != nil {
		t.Log("haproxy is not installed: configuration not checked with haproxy -c")
		return
	}
	dir := t.TempDir()
	local := filepath.Join(dir, "503-de.http")
	if err := os.WriteFile(local, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "haproxy.cfg")
	if err := os.WriteFile(file, []byte(strings.ReplaceAll(cfg, pagePath, local)), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "-c", "-f", file).CombinedOutput(); err != nil {
		t.Errorf("haproxy -c: %v\n%s", err, out)
	}
}
