#!/bin/sh
# bench/costs.sh - GET /api/v1/costs/summary over a large cost ledger, beside the sqlite3 CLI
# running the equivalent aggregate on the same database file (docs/PERFORMANCE.md).
#
# 1. Lets gpu-shopperd create an empty database with the storage-sqlite schema (migrations).
# 2. Fills its ledger with ROWS entries through the sqlite3 CLI, in the plugin's schema:
#    interned keys (1 per session + CONSUMERS consumers), GROUPS (provider, gpu_type) groups,
#    one finalized session per entry, starts spread over the SPREAD_DAYS days before now,
#    1 min..12 h long, $0.05..$3.05/h; then cost_totals and cost_stats as the plugin keeps
#    them (cost_append maintains both; a bulk insert has to rebuild them).
# 3. Starts gpu-shopperd on that file and times CALLS calls of GET /api/v1/costs/summary
#    (this UTC month, all consumers) with curl, after WARMUP calls; reports the median.
# 4. Runs, in a sqlite3 process with .timer on, as many times each (the two are interleaved
#    in ROUNDS rounds so a change of machine load hits both alike):
#      naive   - the aggregate as one would write it by hand: every entry overlapping the month,
#                pro-rated, grouped by (provider, gpu_type), distinct sessions;
#      plugin  - the same with the plugin's index-friendly bound on start_ms, and rows counted
#                as sessions as the plugin does when every session has one entry (here);
#    and reports the medians. Checks that the daemon's totals equal the CLI's to the micro-USD.
# Not part of ctest.
#
# Environment (defaults): BUILD_DIR (build), ROWS (1000000), SPREAD_DAYS (365), GROUPS (20),
# CONSUMERS (100), CALLS (60), ROUNDS (6), WARMUP (5), KEEP (unset: remove the work directory).
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
ROWS=${ROWS:-1000000}
SPREAD_DAYS=${SPREAD_DAYS:-365}
GROUPS=${GROUPS:-20}
CONSUMERS=${CONSUMERS:-100}
CALLS=${CALLS:-60}
ROUNDS=${ROUNDS:-6}
WARMUP=${WARMUP:-5}
START_TIMEOUT_S=60
MS_PER_HOUR=3600000
MAX_SPAN_MS=43200000
MIN_SPAN_MS=60000

DAEMON="$BUILD_DIR/bin/gpu-shopperd"

say() { printf '%s\n' "$*" >&2; }
die() { say "costs.sh: $*"; exit 1; }

command -v sqlite3 >/dev/null 2>&1 || die "the sqlite3 CLI is missing (apt-get install sqlite3)"
command -v curl >/dev/null 2>&1 || die "curl is missing"
[ -x "$DAEMON" ] || die "$DAEMON not built (cmake --build $BUILD_DIR)"

W=$(mktemp -d /tmp/gs-bench-costs.XXXXXX)
DB="$W/data/gpu-shopper.db"
DAEMON_PID=""
cleanup() {
        [ -n "$DAEMON_PID" ] && { kill "$DAEMON_PID" 2>/dev/null || true; wait "$DAEMON_PID" 2>/dev/null || true; }
        if [ -n "${KEEP:-}" ]; then say "kept $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_line() { # wait_line FILE SED-REGEX: first capture once FILE has it
        i=0
        while [ $i -lt $((START_TIMEOUT_S * 10)) ]; do
                v=$(sed -n "s/$2/\\1/p" "$1" 2>/dev/null | head -n 1)
                [ -n "$v" ] && { echo "$v"; return 0; }
                sleep 0.1
                i=$((i + 1))
        done
        return 1
}

start_daemon() {
        : >"$W/daemon.log"
        "$DAEMON" --config "$W/gpu-shopper.ini" >"$W/daemon.log" 2>&1 &
        DAEMON_PID=$!
        PORT=$(wait_line "$W/daemon.log" '.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*') ||
                die "daemon did not start: $(cat "$W/daemon.log")"
        BASE="http://127.0.0.1:$PORT"
}

stop_daemon() {
        kill "$DAEMON_PID"
        wait "$DAEMON_PID" || true
        DAEMON_PID=""
}

median() { # median of the numbers on stdin
        sort -g | awk '{ v[NR] = $1 } END {
                if (NR == 0) { print "nan"; exit }
                if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

cat >"$W/gpu-shopper.ini" <<EOF
[server]
listen = 127.0.0.1
port = 0
data_dir = $W/data

[log]
level = notice
access_log = false

[storage]
path = $DB
EOF

# --- 1. the schema -------------------------------------------------------------
say "creating the schema..."
start_daemon
stop_daemon

# --- 2. the ledger -------------------------------------------------------------
NOW_MS=$(($(date -u +%s) * 1000))
MONTH_MS=$(($(date -u -d "$(date -u +%Y-%m-01)" +%s) * 1000))
NEXT_MS=$(($(date -u -d "$(date -u +%Y-%m-01) + 1 month" +%s) * 1000))
SPREAD_MS=$((SPREAD_DAYS * 86400000))
say "inserting $ROWS ledger rows over $SPREAD_DAYS days ($GROUPS groups, $CONSUMERS consumers)..."
T0=$(date +%s)
sqlite3 "$DB" <<EOF
PRAGMA synchronous = OFF;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $GROUPS)
INSERT INTO cost_groups (provider, gpu_type)
SELECT CASE i % 2 WHEN 0 THEN 'vastai' ELSE 'tensordock' END, printf('GPU-%02d', i) FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $CONSUMERS)
INSERT INTO cost_keys (value) SELECT printf('consumer-%03d', i) FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $ROWS)
INSERT INTO cost_keys (value) SELECT printf('sess-bench%08d', i) FROM n;
CREATE TEMP TABLE gen AS
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $ROWS)
SELECT i,
       $NOW_MS - $MAX_SPAN_MS - abs(random()) % $SPREAD_MS AS start_ms,
       $MIN_SPAN_MS + abs(random()) % ($MAX_SPAN_MS - $MIN_SPAN_MS) AS span,
       50000 + abs(random()) % 3000001 AS price
FROM n;
INSERT INTO cost_ledger (start_ms, end_ms, group_id, session_key, amount_uusd, consumer_key,
                         price_uusd_per_hour)
SELECT g.start_ms, g.start_ms + g.span,
       1 + g.i % $GROUPS,
       $CONSUMERS + 1 + g.i, (g.price * g.span + $MS_PER_HOUR / 2) / $MS_PER_HOUR,
       1 + g.i % $CONSUMERS, g.price
FROM gen AS g ORDER BY g.i;
DROP TABLE gen;
DELETE FROM cost_totals;
INSERT INTO cost_totals (group_id, min_start_ms, max_end_ms, billed_ms, amount_uusd, session_count,
                         entry_count)
SELECT group_id, MIN(start_ms), MAX(end_ms), SUM(end_ms - start_ms), SUM(amount_uusd),
       COUNT(DISTINCT session_key), COUNT(*)
FROM cost_ledger WHERE end_ms > start_ms GROUP BY group_id;
UPDATE cost_stats SET max_span_ms = (SELECT MAX(end_ms - start_ms) FROM cost_ledger) WHERE id = 1;
COMMIT;
ANALYZE;
EOF
say "  done in $(($(date +%s) - T0)) s; $(sqlite3 "$DB" 'SELECT COUNT(*) FROM cost_ledger') rows," \
        "$(du -m "$DB" | cut -f1) MB"
IN_MONTH=$(sqlite3 "$DB" "SELECT COUNT(*) FROM cost_ledger WHERE end_ms > $MONTH_MS AND start_ms < $NEXT_MS")

# --- 3./4. the daemon and the sqlite3 CLI, interleaved --------------------------------
# Pro-rated amount of the overlap, truncated, as the plugin computes it (spans <= 12 h here,
# so the (a / span) * ov + (a % span) * ov / span form is exact).
PRORATE="CASE WHEN ov = span THEN amount
              ELSE (amount / span) * ov + (amount % span) * ov / span END"
NAIVE="SELECT g.provider, g.gpu_type, SUM($PRORATE), SUM(ov), COUNT(DISTINCT session_key)
FROM (SELECT group_id, session_key, amount_uusd AS amount, end_ms - start_ms AS span,
             MIN(end_ms, $NEXT_MS) - MAX(start_ms, $MONTH_MS) AS ov
      FROM cost_ledger
      WHERE end_ms > $MONTH_MS AND start_ms < $NEXT_MS AND end_ms > start_ms) AS x
JOIN cost_groups AS g ON g.id = x.group_id
GROUP BY g.provider, g.gpu_type ORDER BY g.provider, g.gpu_type;"
LO=$(sqlite3 "$DB" "SELECT $MONTH_MS - max_span_ms FROM cost_stats")
PLUGIN="SELECT g.provider, g.gpu_type, SUM($PRORATE), SUM(ov), COUNT(*)
FROM cost_groups AS g, (SELECT group_id, session_key, amount_uusd AS amount,
             end_ms - start_ms AS span, MIN(end_ms, $NEXT_MS) - MAX(start_ms, $MONTH_MS) AS ov
      FROM cost_ledger
      WHERE start_ms >= $LO AND start_ms < $NEXT_MS AND end_ms > $MONTH_MS
        AND end_ms > start_ms) AS x
WHERE x.group_id = g.id
GROUP BY g.id ORDER BY g.provider, g.gpu_type;"

cli_times() { # cli_times SQL N: N runs in one sqlite3 process, ms per line
        {
                echo ".timer on"
                j=0
                while [ $j -lt "$2" ]; do
                        echo "$1"
                        j=$((j + 1))
                done
        } | sqlite3 "$DB" 2>&1 | sed -n 's/^Run Time: real \([0-9.]*\).*/\1/p' |
                awk '{ print $1 * 1000 }'
}

start_daemon
i=0
while [ $i -lt "$WARMUP" ]; do
        curl -fs "$BASE/api/v1/costs/summary" -o "$W/summary.json" || die "summary failed"
        i=$((i + 1))
done
PER_ROUND=$(((CALLS + ROUNDS - 1) / ROUNDS))
: >"$W/daemon.times"
: >"$W/naive.times"
: >"$W/plugin.times"
r=0
while [ $r -lt "$ROUNDS" ]; do
        i=0
        while [ $i -lt "$PER_ROUND" ]; do
                curl -fs -o /dev/null -w '%{time_total}\n' "$BASE/api/v1/costs/summary" \
                        >>"$W/daemon.times" || die "summary failed"
                i=$((i + 1))
        done
        cli_times "$NAIVE" "$PER_ROUND" >>"$W/naive.times"
        cli_times "$PLUGIN" "$PER_ROUND" >>"$W/plugin.times"
        r=$((r + 1))
done
D_MED=$(awk '{ print $1 * 1000 }' "$W/daemon.times" | median)
N_MED=$(median <"$W/naive.times")
P_MED=$(median <"$W/plugin.times")
N_CALLS=$(wc -l <"$W/daemon.times")
D_TOTAL=$(python3 -c 'import json, sys; j = json.load(open(sys.argv[1]))
print(j["total_cost_uusd"], j["session_count"])' "$W/summary.json")
RSS=$(awk '/VmRSS/ { print $2 / 1024 " MB" }' "/proc/$DAEMON_PID/status")
stop_daemon
C_TOTAL=$(sqlite3 -separator '|' "$DB" "$NAIVE" |
        awk -F'|' '{ a += $3; s += $5 } END { printf "%.0f %.0f\n", a, s }')

# --- report ------------------------------------------------------------------------
cat <<EOF
ledger rows:                     $ROWS over $SPREAD_DAYS days ($IN_MONTH overlap this month)
summary total (daemon):          $D_TOTAL   (uusd, sessions)
summary total (sqlite3 CLI):     $C_TOTAL
GET /costs/summary, median of $N_CALLS: $D_MED ms   (curl time_total; daemon RSS $RSS)
sqlite3 CLI naive aggregate:     $N_MED ms   (median of $N_CALLS, .timer real)
sqlite3 CLI plugin's aggregate:  $P_MED ms
ratio daemon / naive CLI:        $(awk -v a="$D_MED" -v b="$N_MED" 'BEGIN { printf "%.2f", a / b }')
ratio daemon / plugin's SQL:     $(awk -v a="$D_MED" -v b="$P_MED" 'BEGIN { printf "%.2f", a / b }')
load average:                    $(cut -d' ' -f1-3 /proc/loadavg)
EOF
[ "$D_TOTAL" = "$C_TOTAL" ] || die "the daemon's totals differ from the CLI's"
