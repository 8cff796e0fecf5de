# shellcheck shell=bash
# scripts/lib/pg.sh — helpers for private, throw-away or development PostgreSQL 15
# clusters. Sourced by scripts/run and scripts/test; not executable on its own.
#
# Public functions:
#   kimibv_apt_install PKG...        install Debian packages (root only; apt-get update at most once)
#   pg_ensure_installed              make sure PostgreSQL 15 server binaries exist
#   pg_cluster_start DIR PORT MODE   init (if needed) and start a cluster; MODE is "test" or "dev"
#   pg_cluster_stop                  stop the cluster started by pg_cluster_start (idempotent)
#   pg_create_db NAME                create database NAME in the running cluster if missing
#   pg_url DB                        print a postgres:// URL for database DB of the running cluster
#
# After pg_cluster_start these globals are set:
#   PG_DATA_DIR   the data directory actually used (may differ from DIR, see below)
#   PG_PORT       the TCP port (listening on 127.0.0.1 only)
#   PG_SOCK_DIR   the directory holding the unix socket (short path under /tmp)
#
# The clusters use trust authentication on loopback and on the socket: they are
# private to this machine and to the developer or test run that started them.

PG_VERSION_MAJOR=15
PG_BIN=${PG_BIN:-/usr/lib/postgresql/${PG_VERSION_MAJOR}/bin}
PG_SUPERUSER=postgres

PG_DATA_DIR=
PG_PORT=
PG_SOCK_DIR=
_PG_STARTED=0
_KIMIBV_APT_UPDATED=${_KIMIBV_APT_UPDATED:-0}

pg_log() { printf '[pg] %s\n' "$*" >&2; }

_pg_is_root() { [[ $(id -u) -eq 0 ]]; }

# kimibv_apt_install PKG... — installs the packages that are not installed yet.
# Runs `apt-get update` at most once per script run. Root only.
kimibv_apt_install() {
	local missing=() p
	for p in "$@"; do
		if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
			missing+=("$p")
		fi
	done
	((${#missing[@]} == 0)) && return 0
	if ! _pg_is_root; then
		pg_log "missing Debian packages: ${missing[*]} (not root, cannot install them)"
		return 1
	fi
	if [[ $_KIMIBV_APT_UPDATED != 1 ]]; then
		pg_log "apt-get update"
		DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || pg_log "apt-get update failed; trying to install anyway"
		_KIMIBV_APT_UPDATED=1
		export _KIMIBV_APT_UPDATED
	fi
	pg_log "apt-get install ${missing[*]}"
	local log
	log=$(mktemp)
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >"$log" 2>&1; then
		tail -n 40 "$log" >&2
		rm -f "$log"
		pg_log "apt-get install ${missing[*]} failed"
		return 1
	fi
	rm -f "$log"
}

# pg_ensure_installed — PostgreSQL 15 server binaries at $PG_BIN, installing them
# when running as root; exits 1 with an explanation otherwise.
pg_ensure_installed() {
	if [[ -x $PG_BIN/initdb && -x $PG_BIN/postgres && -x $PG_BIN/pg_ctl && -x $PG_BIN/pg_isready ]]; then
		return 0
	fi
	if ! _pg_is_root; then
		cat >&2 <<EOF
PostgreSQL ${PG_VERSION_MAJOR} server binaries were not found in $PG_BIN.
Ask an administrator to install them, on Debian or Ubuntu with:
    sudo apt-get install postgresql-${PG_VERSION_MAJOR}
(or: sudo apt-get install postgresql, if that provides version ${PG_VERSION_MAJOR}).
Alternatively set DATABASE_URL to an existing PostgreSQL ${PG_VERSION_MAJOR} database.
EOF
		exit 1
	fi
	kimibv_apt_install "postgresql-${PG_VERSION_MAJOR}" || kimibv_apt_install postgresql || true
	if [[ ! -x $PG_BIN/initdb ]]; then
		pg_log "installing PostgreSQL did not provide $PG_BIN/initdb; giving up"
		exit 1
	fi
}

# _pg_as_owner CMD... — run CMD as the cluster owner: the postgres system user when
# we are root (initdb and postgres refuse to run as root), ourselves otherwise.
_pg_as_owner() {
	if _pg_is_root; then
		(cd / && runuser -u postgres -- "$@")
	else
		"$@"
	fi
}

_pg_ensure_postgres_user() {
	_pg_is_root || return 0
	id postgres >/dev/null 2>&1 && return 0
	pg_log "creating system user postgres"
	useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
}

# _pg_prepare_dir DIR — create DIR usable by the cluster owner; prints the directory
# to use, which is a fallback under /var/tmp when root and postgres cannot reach DIR.
_pg_prepare_dir() {
	local dir=$1
	mkdir -p "$dir"
	if ! _pg_is_root; then
		chmod 700 "$dir"
		printf '%s\n' "$dir"
		return 0
	fi
	local owner
	owner=$(stat -c %U "$dir")
	if [[ $owner != postgres ]]; then
		if [[ -n $(ls -A "$dir") && ! -f $dir/PG_VERSION ]]; then
			pg_log "$dir is not empty and not a PostgreSQL data directory"
			return 1
		fi
		if [[ -f $dir/PG_VERSION ]]; then
			pg_log "$dir belongs to $owner, not postgres; remove it or run as $owner"
			return 1
		fi
		chown postgres:postgres "$dir"
	fi
	chmod 700 "$dir"
	if runuser -u postgres -- test -r "$dir" -a -w "$dir" -a -x "$dir" 2>/dev/null; then
		printf '%s\n' "$dir"
		return 0
	fi
	# The postgres user cannot reach $dir (e.g. the project lives under /root).
	local hash fallback
	hash=$(printf '%s' "$(cd "$dir" && pwd -P)" | sha1sum | cut -c1-12)
	fallback=/var/tmp/kimibv-pgdata-$hash
	rmdir "$dir" 2>/dev/null || true
	pg_log "user postgres cannot reach $dir (a parent directory is not traversable);"
	pg_log "using $fallback for the cluster data instead"
	mkdir -p "$fallback"
	chown postgres:postgres "$fallback"
	chmod 700 "$fallback"
	printf '%s\n' "$fallback"
}

# pg_cluster_start DIR PORT MODE — MODE "test": fsync etc. off, more connections;
# MODE "dev": durable defaults. Existing data in DIR is kept (initdb only when empty).
pg_cluster_start() {
	local dir=$1 port=$2 mode=${3:-dev}
	_pg_ensure_postgres_user
	PG_DATA_DIR=$(_pg_prepare_dir "$dir") || return 1
	PG_PORT=$port

	if [[ ! -f $PG_DATA_DIR/PG_VERSION ]]; then
		pg_log "initdb $PG_DATA_DIR"
		local initlog
		initlog=$(mktemp)
		_pg_as_owner "$PG_BIN/initdb" -D "$PG_DATA_DIR" -U "$PG_SUPERUSER" \
			--locale=C.UTF-8 --encoding=UTF8 --auth=trust >"$initlog" 2>&1 || {
			cat "$initlog" >&2
			rm -f "$initlog"
			pg_log "initdb failed"
			return 1
		}
		rm -f "$initlog"
	fi

	if _pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DATA_DIR" status >/dev/null 2>&1; then
		pg_log "a server is already running on $PG_DATA_DIR; stop it first:"
		pg_log "  $PG_BIN/pg_ctl -D $PG_DATA_DIR stop -m fast"
		return 1
	fi
	if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -t 1 >/dev/null 2>&1; then
		pg_log "port $port on 127.0.0.1 is already in use by another PostgreSQL server"
		pg_log "(set KIMIBV_PG_PORT to use another port)"
		return 1
	fi

	# Short socket directory: the socket path must stay well under 100 bytes.
	PG_SOCK_DIR=$(mktemp -d /tmp/kpg.XXXXXX)
	chmod 755 "$PG_SOCK_DIR"
	_pg_is_root && chown postgres:postgres "$PG_SOCK_DIR"

	local opts="-c listen_addresses=127.0.0.1 -p $port -k $PG_SOCK_DIR"
	if [[ $mode == test ]]; then
		# Throw-away clusters only: never use these settings for real data. The whole suite
		# runs at once (scripts/test): every test database has its own pool, and two kimibv
		# servers of a fault test take up to 24 connections each. Autovacuum would only visit
		# the hundreds of short-lived test databases (and hold up clones of a template it
		# happens to visit); the tests' queries are far too cheap for JIT compilation to pay.
		opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
		opts+=" -c max_connections=400 -c shared_buffers=128MB -c autovacuum=off -c jit=off"
	fi

	pg_log "starting PostgreSQL on 127.0.0.1:$port (data $PG_DATA_DIR, $mode)"
	if ! _pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DATA_DIR" -l "$PG_DATA_DIR/server.log" \
		-o "$opts" -w -t 60 start >/dev/null; then
		tail -n 30 "$PG_DATA_DIR/server.log" >&2 || true
		pg_log "PostgreSQL did not start"
		rm -rf "$PG_SOCK_DIR"
		return 1
	fi
	_PG_STARTED=1

	local i
	for ((i = 0; i < 100; i++)); do
		if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -U "$PG_SUPERUSER" -d postgres; then
			return 0
		fi
		sleep 0.1
	done
	pg_log "PostgreSQL started but is not ready after 10 s"
	return 1
}

# pg_cluster_stop — stops the cluster started by pg_cluster_start; safe to call twice.
pg_cluster_stop() {
	if [[ $_PG_STARTED == 1 && -n $PG_DATA_DIR ]]; then
		pg_log "stopping PostgreSQL on 127.0.0.1:$PG_PORT"
		_pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DATA_DIR" stop -m fast -w -t 60 >/dev/null ||
			pg_log "pg_ctl stop failed (see $PG_DATA_DIR/server.log)"
		_PG_STARTED=0
	fi
	if [[ -n $PG_SOCK_DIR ]]; then
		rm -rf "$PG_SOCK_DIR"
		PG_SOCK_DIR=
	fi
}

# pg_url DB — URL of database DB in the running cluster (superuser, loopback TCP).
pg_url() {
	printf 'postgres://%s@127.0.0.1:%s/%s?sslmode=disable\n' "$PG_SUPERUSER" "$PG_PORT" "$1"
}

# pg_create_db NAME — creates database NAME if it does not exist.
pg_create_db() {
	local name=$1
	local exists
	exists=$("$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$PG_PORT" -U "$PG_SUPERUSER" -d postgres -tA \
		-v ON_ERROR_STOP=1 -v name="$name" <<<"SELECT 1 FROM pg_database WHERE datname = :'name'")
	if [[ $exists != 1 ]]; then
		pg_log "creating database $name"
		"$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_SUPERUSER" "$name"
	fi
}
