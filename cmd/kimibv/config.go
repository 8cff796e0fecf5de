package main

import (
	"fmt"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// config is the whole configuration, read from environment variables only.
type config struct {
	DatabaseURL     string
	Listen          string
	BaseURL         string
	Env             string
	LogFormat       string
	LogLevel        string
	MaxBodyBytes    int64
	SessionLifetime time.Duration
	SessionIdle     time.Duration
	ContactEmail    string
	Operator        string
	SMTPHost        string
	SMTPPort        int
	SMTPUser        string
	SMTPPassword    string
	SMTPFrom        string
	SMTPTLS         string
	ShutdownDrain   time.Duration
	MasterKeyFile   string
	MaxFileBytes    int64
	MaxBidBytes     int64
	OCIDPrefix      string
	Bench           bool
	MemoryLimit     int64 // soft limit of the Go heap in bytes; 0 leaves the runtime's (GOMEMLIMIT)
	ValidatorMaxAge time.Duration
	TrustedProxies  []*net.IPNet
	MetricsListen   string // "" (default): no /metrics
}

// envVar documents one setting; the README's configuration table lists the same.
type envVar struct {
	Name, Default, Meaning string
	Secret                 bool
}

// settings is the catalogue of environment variables with defaults.
func settings() []envVar {
	return []envVar{
		{"DATABASE_URL", "", "PostgreSQL connection URL (required; scripts/run sets it for its private cluster)", true},
		{"KIMIBV_LISTEN", ":8080", "address the HTTP server listens on", false},
		{"KIMIBV_BASE_URL", "http://localhost:8080", "public address used in links, e-mails and PDFs; https:// enables Secure cookies and HSTS", false},
		{"KIMIBV_ENV", "production", "development writes outgoing mail to the log as well; production refuses kimibv demo and KIMIBV_BENCH=1", false},
		{"KIMIBV_LOG_FORMAT", "text", "text or json", false},
		{"KIMIBV_LOG_LEVEL", "info", "debug, info, warn or error", false},
		{"KIMIBV_MAX_BODY_MB", "110", "largest accepted request body in MiB", false},
		{"KIMIBV_SESSION_LIFETIME", "12h", "absolute lifetime of a login session", false},
		{"KIMIBV_SESSION_IDLE", "2h", "a session ends after this long without requests", false},
		{"KIMIBV_CONTACT_EMAIL", "kontakt@example.org", "contact shown in Impressum and the accessibility statement", false},
		{"KIMIBV_OPERATOR", "Kommunales Rechenzentrum (Beispiel)", "operating organisation named in the Impressum", false},
		{"KIMIBV_SMTP_HOST", "", "SMTP server; empty keeps mail in the outbox (and the log in development)", false},
		{"KIMIBV_SMTP_PORT", "587", "SMTP port", false},
		{"KIMIBV_SMTP_USER", "", "SMTP user name", false},
		{"KIMIBV_SMTP_PASSWORD", "", "SMTP password", true},
		{"KIMIBV_SMTP_FROM", "kimibv@example.org", "sender address of outgoing mail", false},
		{"KIMIBV_SMTP_TLS", "starttls", "none, starttls or tls", false},
		{"KIMIBV_SHUTDOWN_DRAIN", "20s", "how long shutdown waits for running requests and jobs", false},
		{"KIMIBV_VALIDATOR_MAX_AGE", "5s", "longest an instance trusts a public page's validator kept in memory without a change notification from PostgreSQL (bounds the delay when a notification is lost)", false},
		{"KIMIBV_TRUSTED_PROXIES", "", "comma-separated addresses or CIDR ranges of the reverse proxies in front of kimibv; only from them is the client address taken from X-Forwarded-For (login throttle, logs); empty: the TCP peer is the client", false},
		{"KIMIBV_METRICS_LISTEN", "", "address of a second listener that answers only /metrics (Prometheus text format), e.g. 127.0.0.1:9090; empty: no metrics; never the public address", false},
		{"KIMIBV_MASTER_KEY_FILE", "", "file holding the age master key (X25519 identity) that protects bid content and documents at rest; required in production; in development created on first start (scripts/run: .master-key)", false},
		{"KIMIBV_MAX_FILE_MB", "20", "largest accepted uploaded file (PDF) in MiB", false},
		{"KIMIBV_MAX_BID_MB", "100", "largest total size of all files of one bid in MiB", false},
		{"KIMIBV_OCID_PREFIX", "ocds-kimibv", "OCDS ocid prefix of the open data (/ocds/releases.json): register your own with the Open Contracting Partnership before publishing; changing it changes every ocid", false},
		{"KIMIBV_MEMORY_LIMIT_MB", "150", "soft memory limit of kimibv serve in MiB (Go's GOMEMLIMIT): the garbage collector works harder as the heap nears it, so parallel uploads do not pile up garbage; 0 leaves Go's default (no limit, or GOMEMLIMIT)", false},
		{"KIMIBV_BENCH", "", "1 adds /bench/floor, the profiler under /bench/pprof and the X-Kimibv-Queries response header for scripts/bench; refused in production", false},
	}
}

// lookup reads name, or the file named by name_FILE for secrets, or def.
func lookup(name, def string, secret bool) (string, error) {
	if secret {
		if path := os.Getenv(name + "_FILE"); path != "" {
			b, err := os.ReadFile(path)
			if err != nil {
				return "", fmt.Errorf("%s_FILE: %w", name, err)
			}
			return strings.TrimSpace(string(b)), nil
		}
	}
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v, nil
	}
	return def, nil
}

// loadConfig reads every setting and reports all invalid ones at once.
func loadConfig() (config, error) {
	vals := map[string]string{}
	for _, s := range settings() {
		v, err := lookup(s.Name, s.Default, s.Secret)
		if err != nil {
			return config{}, err
		}
		vals[s.Name] = v
	}
	var errs []string
	dur := func(name string) time.Duration {
		d, err := time.ParseDuration(vals[name])
		if err != nil || d <= 0 {
			errs = append(errs, name+": not a positive duration")
		}
		return d
	}
	num := func(name string) int {
		n, err := strconv.Atoi(vals[name])
		if err != nil || n <= 0 {
			errs = append(errs, name+": not a positive number")
		}
		return n
	}
	c := config{
		DatabaseURL: vals["DATABASE_URL"], Listen: vals["KIMIBV_LISTEN"], BaseURL: strings.TrimRight(vals["KIMIBV_BASE_URL"], "/"),
		Env: vals["KIMIBV_ENV"], LogFormat: vals["KIMIBV_LOG_FORMAT"], LogLevel: vals["KIMIBV_LOG_LEVEL"],
		MaxBodyBytes:    int64(num("KIMIBV_MAX_BODY_MB")) << 20,
		SessionLifetime: dur("KIMIBV_SESSION_LIFETIME"), SessionIdle: dur("KIMIBV_SESSION_IDLE"),
		ContactEmail: vals["KIMIBV_CONTACT_EMAIL"], Operator: vals["KIMIBV_OPERATOR"],
		SMTPHost: vals["KIMIBV_SMTP_HOST"], SMTPPort: num("KIMIBV_SMTP_PORT"), SMTPUser: vals["KIMIBV_SMTP_USER"],
		SMTPPassword: vals["KIMIBV_SMTP_PASSWORD"], SMTPFrom: vals["KIMIBV_SMTP_FROM"], SMTPTLS: vals["KIMIBV_SMTP_TLS"],
		ShutdownDrain: dur("KIMIBV_SHUTDOWN_DRAIN"), ValidatorMaxAge: dur("KIMIBV_VALIDATOR_MAX_AGE"),
		MasterKeyFile: vals["KIMIBV_MASTER_KEY_FILE"],
		MaxFileBytes:  int64(num("KIMIBV_MAX_FILE_MB")) << 20, MaxBidBytes: int64(num("KIMIBV_MAX_BID_MB")) << 20,
		OCIDPrefix: vals["KIMIBV_OCID_PREFIX"], Bench: vals["KIMIBV_BENCH"] == "1",
	}
	if mb, err := strconv.Atoi(vals["KIMIBV_MEMORY_LIMIT_MB"]); err != nil || mb < 0 {
		errs = append(errs, "KIMIBV_MEMORY_LIMIT_MB: a number of MiB, 0 for no limit")
	} else {
		c.MemoryLimit = int64(mb) << 20
	}
	proxies, err := parseProxies(vals["KIMIBV_TRUSTED_PROXIES"])
	if err != nil {
		errs = append(errs, err.Error())
	}
	c.TrustedProxies = proxies
	c.MetricsListen = vals["KIMIBV_METRICS_LISTEN"]
	if c.MetricsListen != "" && c.MetricsListen == c.Listen {
		errs = append(errs, "KIMIBV_METRICS_LISTEN: must differ from KIMIBV_LISTEN (metrics are never served on the public address)")
	}
	if c.DatabaseURL == "" {
		errs = append(errs, "DATABASE_URL is not set")
	}
	if c.Env != "development" && c.Env != "production" {
		errs = append(errs, "KIMIBV_ENV: development or production")
	}
	if c.SMTPTLS != "none" && c.SMTPTLS != "starttls" && c.SMTPTLS != "tls" {
		errs = append(errs, "KIMIBV_SMTP_TLS: none, starttls or tls")
	}
	// An OCDS ocid prefix is "ocds-" and six characters when registered.
	if !regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,39}$`).MatchString(c.OCIDPrefix) {
		errs = append(errs, "KIMIBV_OCID_PREFIX: letters, digits and hyphens, e.g. ocds-a1b2c3")
	}
	if len(errs) > 0 {
		return c, fmt.Errorf("configuration: %s", strings.Join(errs, "; "))
	}
	return c, nil
}

// parseProxies reads KIMIBV_TRUSTED_PROXIES: addresses or CIDR ranges, comma-separated.
func parseProxies(v string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			ip := net.ParseIP(part)
			if ip == nil {
				return nil, fmt.Errorf("KIMIBV_TRUSTED_PROXIES: %q is no address or CIDR range", part)
			}
			bits := 128
			if ip.To4() != nil {
				ip, bits = ip.To4(), 32
			}
			out = append(out, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
			continue
		}
		_, n, err := net.ParseCIDR(part)
		if err != nil {
			return nil, fmt.Errorf("KIMIBV_TRUSTED_PROXIES: %q is no address or CIDR range", part)
		}
		out = append(out, n)
	}
	return out, nil
}
