# shellcheck shell=bash
# scripts/lib/failover.sh — scenario 6 of scripts/faults (sourced by it; uses its helpers
# say, pass, fail, start_server, wait_ready, the globals TMP, PIDS, HA_DIRS and pg.sh's).
#
# A hosting provider's PostgreSQL: a primary and a streaming-replication standby made with
# pg_basebackup -R, with synchronous commit (synchronous_standby_names names the standby,
# so a COMMIT returns only once the standby has flushed it). kimibv connects with a
# multi-host URL and target_session_attrs=read-write. During a deadline rush the primary
# is stopped with pg_ctl stop -m immediate and the standby promoted with pg_ctl promote.

# ha_start DIR PORT [SETTINGS] — start the cluster in DIR on 127.0.0.1:PORT (log beside DIR).
ha_start() {
	local dir=$1 port=$2 extra=${3:-}
	_pg_as_owner "$PG_BIN/pg_ctl" -D "$dir" -l "$dir.log" -w -t 60 \
		-o "-c listen_addresses=127.0.0.1 -p $port -k $PG_SOCK_DIR $extra" start >/dev/null
}

# ha_sql PORT SQL — one value from the postgres database of the cluster on PORT.
ha_sql() { "$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$1" -U postgres -d postgres -tAc "$2"; }

# ha_setup — primary and synchronous standby; sets HA_P1, HA_P2, HA_PRIMARY, HA_STANDBY.
ha_setup() {
	local ha=$TMP/ha
	HA_P1=$((30000 + RANDOM % 10000)) HA_P2=$((40000 + RANDOM % 10000))
	HA_PRIMARY=$ha/primary HA_STANDBY=$ha/standby
	mkdir -p "$HA_PRIMARY"
	_pg_is_root && chown -R postgres:postgres "$ha"
	chmod 700 "$ha" "$HA_PRIMARY"
	_pg_as_owner "$PG_BIN/initdb" -D "$HA_PRIMARY" -U postgres --locale=C.UTF-8 --encoding=UTF8 --auth=trust >/dev/null
	HA_DIRS+=("$HA_PRIMARY")
	# Only on the primary's command line: the standby's copy of the configuration must not
	# wait for a synchronous standby of its own once it is promoted and alone.
	ha_start "$HA_PRIMARY" "$HA_P1" "-c synchronous_standby_names=kimibv_standby -c synchronous_commit=on"
	_pg_as_owner "$PG_BIN/pg_basebackup" -d "host=127.0.0.1 port=$HA_P1 user=postgres application_name=kimibv_standby" \
		-D "$HA_STANDBY" -R -X stream -c fast
	HA_DIRS+=("$HA_STANDBY")
	ha_start "$HA_STANDBY" "$HA_P2"
	local state=
	for _ in $(seq 300); do
		state=$(ha_sql "$HA_P1" "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'kimibv_standby'")
		[[ $state == sync ]] && break
		sleep 0.1
	done
	if [[ $state == sync ]]; then pass "failover: standby streaming with synchronous commit (sync_state=sync)"; else
		fail "failover: standby not synchronous (sync_state=${state:-none})"
		return 1
	fi
}

# rush_count FILE FILTER — number of outcomes in a kimibv-rush receipts file matching the jq
# FILTER, which may use sent (when the request was sent) and answered (when the answer came),
# in seconds since the epoch (the clients ran with TZ=UTC).
rush_count() {
	jq "def sent: .sent_at | (sub(\"[.][0-9]+Z$\"; \"Z\") | fromdateiso8601) + ((capture(\"(?<f>[.][0-9]+)Z$\").f // \"0\") | tonumber);
		def answered: sent + .latency_ns / 1e9;
		[.[] | select($2)] | length" "$1"
}

# seconds FROM TO — TO - FROM (seconds since the epoch) with one decimal.
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# probe_loop BASE FILE STOPFILE — every 0.1 s: time, status of /ausschreibungen and of
# /readyz, and whether an error page is the German one without internals.
probe_loop() {
	local base=$1 out=$2 stop=$3 body=$2.body t code ready flag
	while [[ ! -f $stop ]]; do
		t=$(date +%s.%N)
		code=$(curl -s -m 10 -o "$body" -w '%{http_code}' "$base/ausschreibungen" || true)
		ready=$(curl -s -m 10 -o /dev/null -w '%{http_code}' "$base/readyz" || true)
		flag=ok
		if [[ $code != 200 ]]; then
			grep -q 'Vorübergehend nicht erreichbar' "$body" 2>/dev/null || flag=not-german
			grep -Eq 'goroutine|panic|SQLSTATE|\.go:[0-9]' "$body" 2>/dev/null && flag=internals
		fi
		echo "$t $code $ready $flag" >>"$out"
		sleep 0.1
	done
}

fault_failover() {
	say "6. failover: primary stopped, synchronous standby promoted during a deadline rush"
	ha_setup || return
	local url="postgres://postgres@127.0.0.1:$HA_P1,127.0.0.1:$HA_P2/fo?sslmode=disable&target_session_attrs=read-write&connect_timeout=5"
	"$PG_BIN/createdb" -h 127.0.0.1 -p "$HA_P1" -U postgres fo
	DATABASE_URL=$url bin/kimibv migrate >/dev/null
	DATABASE_URL=$url bin/kimibv-gen rush --prefix fo --orgs 60 --out "$TMP/fo.json" | tail -1
	DATABASE_URL=$url bin/kimibv-gen rush --prefix after --orgs 10 --out "$TMP/after.json" >/dev/null
	KIMIBV_LOG_LEVEL=info start_server F "$url"
	wait_ready "$BASE_F" 30 || { fail "failover: server did not start on the multi-host URL"; return; }
	local probe=$TMP/fo-probe stopprobe=$TMP/fo-probe-stop
	probe_loop "$BASE_F" "$probe" "$stopprobe" &
	PIDS+=($!)
	local prober=$!
	# The rush's clients run in UTC so that their sent_at times compare with date +%s.
	TZ=UTC DATABASE_URL=$url bin/kimibv-rush --base "$BASE_F" --set "$TMP/fo.json" --window 12s --no-check \
		--receipts "$TMP/fo-receipts.json" >"$TMP/fo-rush.out" 2>&1 &
	local rush=$!
	for _ in $(seq 3000); do grep -q '^logged in' "$TMP/fo-rush.out" && break; sleep 0.1; done
	# Stop the primary once the rush is under way: at least 10 submissions stored (so some
	# receipts were acknowledged by the old primary), well before the deadline 6 s in.
	local stored=0 stopped promoted recovered=
	for _ in $(seq 300); do
		stored=$("$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$HA_P1" -U postgres -d fo -tAc 'SELECT count(*) FROM bid_versions' || echo 0)
		((${stored:-0} >= 10)) && break
		sleep 0.1
	done
	stopped=$(date +%s.%N)
	_pg_as_owner "$PG_BIN/pg_ctl" -D "$HA_PRIMARY" stop -m immediate -w >/dev/null
	echo "primary stopped (immediate) with $stored submissions stored; promoting the standby in 1 s"
	# Nobody is primary for a moment, as while a provider detects the failure: kimibv must
	# answer the German 503 page and be unready now.
	local page ready
	page=$(curl -s -m 20 -w '\n%{http_code}' "$BASE_F/ausschreibungen" || true)
	ready=$(curl -s -m 20 -o /dev/null -w '%{http_code}' "$BASE_F/readyz" || true)
	if [[ $(tail -1 <<<"$page") == 503 && $ready == 503 ]] && grep -q 'Vorübergehend nicht erreichbar' <<<"$page"; then
		pass "failover: without a primary 503 with the German page, /readyz 503"
	else
		fail "failover: without a primary page $(tail -1 <<<"$page"), /readyz $ready"
	fi
	sleep "$(awk -v s="$stopped" -v n="$(date +%s.%N)" 'BEGIN { r = 1 - (n - s); print (r > 0 ? r : 0) }')"
	_pg_as_owner "$PG_BIN/pg_ctl" -D "$HA_STANDBY" promote -w >/dev/null
	promoted=$(date +%s.%N)
	echo "standby promoted $(seconds "$stopped" "$promoted") s after the stop; in recovery: $(ha_sql "$HA_P2" 'SELECT pg_is_in_recovery()')"
	if wait_ready "$BASE_F" 60; then
		recovered=$(date +%s.%N)
		pass "failover: /readyz 200 again $(seconds "$promoted" "$recovered") s after the promotion ($(seconds "$stopped" "$recovered") s after the stop), without a restart"
	else
		fail "failover: no recovery within 60 s of the promotion"
	fi
	kill -0 "$PID_F" 2>/dev/null || fail "failover: the server process died"
	wait "$rush" || true
	cat "$TMP/fo-rush.out"
	sleep 1
	touch "$stopprobe"
	wait "$prober" 2>/dev/null || true
	failover_checks "$url" "$stopped" "$promoted" "${recovered:-$(date +%s.%N)}"

	# New submissions on the new primary: a second, small rush on another call.
	if DATABASE_URL=$url bin/kimibv-rush --base "$BASE_F" --set "$TMP/after.json" --window 4s >"$TMP/after.out" 2>&1 &&
		grep -q 'RUSH n=10 accepted=[1-9][0-9]* refused=[0-9]* errors=0 ' "$TMP/after.out"; then
		pass "failover: new submissions after the failover: $(grep -o 'accepted=[0-9]* refused=[0-9]* errors=[0-9]*' "$TMP/after.out"), database check correct"
	else
		cat "$TMP/after.out"
		fail "failover: submissions after the failover failed"
	fi
	kill "$PID_F"
	wait "$PID_F" 2>/dev/null || true
}

# failover_checks URL STOPPED PROMOTED RECOVERED — the receipts, the chains, the statuses
# the clients and the probe saw, and what the server logged.
failover_checks() {
	local url=$1 stopped=$2 promoted=$3 recovered=$4 r=$TMP/fo-receipts.json
	local before after
	# Receipts acknowledged (answer received) before the stop, and after the promotion.
	before=$(rush_count "$r" ".status == 303 and .version > 0 and answered < $stopped")
	after=$(rush_count "$r" ".status == 303 and .version > 0 and sent > $promoted")
	local check
	if ((before == 0)); then
		fail "failover: no receipt was acknowledged before the stop, nothing to prove"
	elif check=$(DATABASE_URL=$url bin/kimibv-rush --set "$TMP/fo.json" --receipts "$r" --check-only); then
		pass "failover: no acknowledged receipt lost: $(grep -o 'CHECK.*' <<<"$check") ($before acknowledged by the old primary, $after accepted by the new one)"
	else
		echo "$check"
		fail "failover: receipts and the new primary disagree"
	fi
	if DATABASE_URL=$url bin/kimibv audit verify | tail -1; then pass "failover: audit chains verify on the new primary"; else fail "failover: audit chains broken"; fi

	local probes p503 p500 bad
	probes=$(wc -l <"$TMP/fo-probe")
	p503=$(awk '$2 == 503' "$TMP/fo-probe" | wc -l)
	p500=$(awk '$2 >= 500 && $2 != 503 || $3 >= 500 && $3 != 503' "$TMP/fo-probe" | wc -l)
	bad=$(awk '$4 != "ok"' "$TMP/fo-probe" | wc -l)
	local rush500 log500 panics
	rush500=$(rush_count "$r" ".status >= 500 and .status != 503")
	log500=$(grep -Ec 'msg=request .*status=5(0[0-24-9]|[1-9][0-9])' "$TMP/server-F.log" || true)
	panics=$(grep -Eic 'panic|goroutine [0-9]' "$TMP/server-F.log" || true)
	echo "downtime (primary stopped until /readyz 200): $(seconds "$stopped" "$recovered") s;" \
		"probe: $probes probes of the page, $p503 × 503;" \
		"rush: $(rush_count "$r" '.status == 503') × 503, $(rush_count "$r" '.status == 0') unanswered;" \
		"server log: $(grep -Ec 'msg=request .*status=503' "$TMP/server-F.log" || true) × 503, $log500 other 5xx"
	if ((p500 == 0 && bad == 0 && rush500 == 0 && log500 == 0 && panics == 0)); then
		pass "failover: every error answer a German 503 page, no other 5xx, no internals shown"
	else
		awk '$0 !~ / 200 200 ok$/ && n++ < 20' "$TMP/fo-probe"
		awk '/status=5|level=ERROR|panic/ && !/status=503/ && n++ < 20' "$TMP/server-F.log"
		fail "failover: $p500 other 5xx probes, $bad non-German error pages, $rush500 rush 5xx, $log500 logged 5xx, $panics panics"
	fi
}
