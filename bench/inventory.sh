#!/bin/sh
# bench/inventory.sh - inventory query throughput beside nginx (docs/PERFORMANCE.md).
#
# Starts gpu-market-sim with 20k offers (half Vast.ai, half TensorDock), gpu-shopperd with the
# real vastai and tensordock plugins against it, waits for both snapshots, then measures
#   GET /api/v1/inventory?<QUERY>          (a filtered, limit-50 query)
# with wrk at 64 connections, beside nginx serving the very same response bytes as a static
# file on loopback. Prints the throughput ratio, p99 latencies and the daemon's RSS.
# Not part of ctest. Installs wrk and nginx with apt-get when they are missing.
#
# Environment (defaults): BUILD_DIR (build), OFFERS (20000), QUERY
# (gpu_type=RTX%204090&max_price=1.00&limit=50), CONNECTIONS (64), WRK_THREADS (2),
# DURATION (10s), ROUNDS (3), THREADS (daemon HTTP threads, 4), NGINX_WORKERS (auto),
# ACCESS_LOG (false: like nginx's "access_log off" here; true logs one line per request).
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
OFFERS=${OFFERS:-20000}
QUERY=${QUERY:-gpu_type=RTX%204090&max_price=1.00&limit=50}
CONNECTIONS=${CONNECTIONS:-64}
WRK_THREADS=${WRK_THREADS:-2}
DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-4}
NGINX_WORKERS=${NGINX_WORKERS:-auto}
ACCESS_LOG=${ACCESS_LOG:-false}
START_TIMEOUT_S=60

SIM="$BUILD_DIR/bin/gpu-market-sim"
DAEMON="$BUILD_DIR/bin/gpu-shopperd"

say() { printf '%s\n' "$*" >&2; }
die() { say "inventory.sh: $*"; exit 1; }

need() { # need COMMAND PACKAGE
        command -v "$1" >/dev/null 2>&1 && return 0
        [ -x "/usr/sbin/$1" ] && return 0
        say "installing $2 (apt-get)"
        SUDO=""
        [ "$(id -u)" -eq 0 ] || SUDO=sudo
        $SUDO apt-get install -y "$2" >/dev/null 2>&1 ||
                { $SUDO apt-get update >/dev/null && $SUDO apt-get install -y "$2" >/dev/null; } ||
                die "cannot install $2"
}

need wrk wrk
need nginx nginx-light
need curl curl
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$SIM" ] || die "$SIM not built (cmake --build $BUILD_DIR)"
[ -x "$DAEMON" ] || die "$DAEMON not built (cmake --build $BUILD_DIR)"

W=$(mktemp -d /tmp/gs-bench.XXXXXX)
SIM_PID=""
DAEMON_PID=""
NGINX_PID=""
cleanup() {
        for p in $NGINX_PID $DAEMON_PID $SIM_PID; do
                kill "$p" 2>/dev/null || true
        done
        for p in $NGINX_PID $DAEMON_PID $SIM_PID; do
                wait "$p" 2>/dev/null || true
        done
        rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# wait_line FILE REGEX: print the first capture of REGEX once FILE has it.
wait_line() {
        i=0
        while [ $i -lt $((START_TIMEOUT_S * 10)) ]; do
                v=$(sed -n "s/$2/\\1/p" "$1" 2>/dev/null | head -n 1)
                [ -n "$v" ] && { echo "$v"; return 0; }
                sleep 0.1
                i=$((i + 1))
        done
        return 1
}

# --- simulator and daemon ----------------------------------------------------
"$SIM" --port 0 --offers "$OFFERS" --no-ssh >"$W/sim.out" 2>"$W/sim.err" &
SIM_PID=$!
SIM_PORT=$(wait_line "$W/sim.out" '^listening on 127\.0\.0\.1:\([0-9]*\)$') ||
        die "simulator did not start: $(cat "$W/sim.err")"

cat >"$W/gpu-shopper.ini" <<EOF
[server]
listen = 127.0.0.1
port = 0
threads = $THREADS
max_connections = 1024
data_dir = $W/data

[log]
level = info
access_log = $ACCESS_LOG

[inventory]
refresh_interval = 10m

[storage]
path = $W/data/gpu-shopper.db

[provider.vastai]
api_key = sim-vast-key
api_base_url = http://127.0.0.1:$SIM_PORT/vast/api/v0
min_reliability = 0

[provider.tensordock]
auth_id = sim-td-auth-id
api_token = sim-td-token
api_base_url = http://127.0.0.1:$SIM_PORT/td/api/v2
EOF

"$DAEMON" --config "$W/gpu-shopper.ini" >"$W/daemon.log" 2>&1 &
DAEMON_PID=$!
PORT=$(wait_line "$W/daemon.log" '.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*') ||
        die "daemon did not start: $(cat "$W/daemon.log")"
BASE="http://127.0.0.1:$PORT"

say "waiting for both snapshots ($OFFERS offers)..."
i=0
until curl -fs "$BASE/health" | python3 -c '
import json, sys
inst = json.load(sys.stdin)["components"]["providers"]["instances"]
sys.exit(0 if all(v.get("last_success") for v in inst.values()) else 1)' 2>/dev/null; do
        i=$((i + 1))
        [ $i -lt $((START_TIMEOUT_S * 10)) ] || die "no snapshot: $(tail -5 "$W/daemon.log")"
        sleep 0.1
done
LOADED=$(curl -fs "$BASE/api/v1/inventory?limit=1" |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["total"])')

# --- nginx with the same bytes -------------------------------------------------
mkdir -p "$W/www"
# nginx workers run as an unprivileged user: they must be able to read it.
chmod 0755 "$W" "$W/www"
curl -fs "$BASE/api/v1/inventory?$QUERY" >"$W/www/inventory.json"
chmod 0644 "$W/www/inventory.json"
BYTES=$(wc -c <"$W/www/inventory.json")
MATCHES=$(python3 -c 'import json, sys; j = json.load(open(sys.argv[1]))
print(j["total"], j["count"])' "$W/www/inventory.json")
NGINX_PORT=$(free_port)
cat >"$W/nginx.conf" <<EOF
worker_processes $NGINX_WORKERS;
daemon off;
pid $W/nginx.pid;
error_log $W/nginx.err;
events { worker_connections 1024; }
http {
        access_log off;
        default_type application/json;
        sendfile on;
        tcp_nopush on;
        keepalive_requests 1000000;
        client_body_temp_path $W/nginx-tmp;
        proxy_temp_path $W/nginx-tmp;
        fastcgi_temp_path $W/nginx-tmp;
        uwsgi_temp_path $W/nginx-tmp;
        scgi_temp_path $W/nginx-tmp;
        server {
                listen 127.0.0.1:$NGINX_PORT;
                root $W/www;
        }
}
EOF
"$NGINX" -c "$W/nginx.conf" -p "$W" 2>"$W/nginx.start.err" &
NGINX_PID=$!
i=0
until curl -fs "http://127.0.0.1:$NGINX_PORT/inventory.json" -o /dev/null; do
        i=$((i + 1))
        [ $i -lt 100 ] ||
                die "nginx did not start: $(cat "$W/nginx.start.err" "$W/nginx.err" 2>/dev/null)"
        sleep 0.1
done

# --- measure -------------------------------------------------------------------
# run_wrk URL [wrk args...] -> "requests_per_second p99_ms"
run_wrk() {
        url=$1
        shift
        wrk -t "$WRK_THREADS" -c "$CONNECTIONS" -d "$DURATION" --latency "$@" "$url" \
                >"$W/wrk.out" 2>&1 || die "wrk failed: $(cat "$W/wrk.out")"
        awk '
                function ms(v) {
                        if (v ~ /us$/) { sub(/us$/, "", v); return v / 1000 }
                        if (v ~ /ms$/) { sub(/ms$/, "", v); return v + 0 }
                        if (v ~ /s$/)  { sub(/s$/, "", v);  return v * 1000 }
                        return v + 0
                }
                $1 == "99%" { p99 = ms($2) }
                $1 == "Requests/sec:" { rps = $2 }
                / Non-2xx / { bad = 1 }
                END { if (bad) print "NON2XX"; printf "%.0f %.2f\n", rps, p99 }' "$W/wrk.out"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# measure RESULTS_FILE URL [wrk args...]: one run appended to RESULTS_FILE.
measure() {
        out=$1
        shift
        run_wrk "$@" >"$W/one.txt"
        grep -q NON2XX "$W/one.txt" && die "non-2xx answers from $1"
        cat "$W/one.txt" >>"$out"
}

# Offsets vary per request so the per-snapshot result cache misses.
TOTAL=${MATCHES% *}
SPAN=$((TOTAL > 60 ? TOTAL - 50 : 1))
cat >"$W/vary.lua" <<EOF
local n = 0
request = function()
        n = n + 1
        return wrk.format("GET", "/api/v1/inventory?$QUERY&offset=" .. (n % $SPAN))
end
EOF

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
say "warming up..."
DURATION=2s run_wrk "$BASE/api/v1/inventory?$QUERY" >/dev/null
DURATION=2s run_wrk "http://127.0.0.1:$NGINX_PORT/inventory.json" >/dev/null

: >"$W/d.txt"
: >"$W/n.txt"
: >"$W/u.txt"
r=1
while [ $r -le "$ROUNDS" ]; do
        say "round $r/$ROUNDS: gpu-shopperd, nginx, gpu-shopperd uncached ($DURATION each)"
        measure "$W/d.txt" "$BASE/api/v1/inventory?$QUERY"
        measure "$W/n.txt" "http://127.0.0.1:$NGINX_PORT/inventory.json"
        measure "$W/u.txt" "$BASE/api/v1/inventory?$QUERY" -s "$W/vary.lua"
        r=$((r + 1))
done

D_RPS=$(cut -d' ' -f1 "$W/d.txt" | median)
D_P99=$(cut -d' ' -f2 "$W/d.txt" | median)
N_RPS=$(cut -d' ' -f1 "$W/n.txt" | median)
N_P99=$(cut -d' ' -f2 "$W/n.txt" | median)
U_RPS=$(cut -d' ' -f1 "$W/u.txt" | median)
U_P99=$(cut -d' ' -f2 "$W/u.txt" | median)
RSS_KB=$(awk '/^VmRSS:/ { print $2 }' "/proc/$DAEMON_PID/status")
HWM_KB=$(awk '/^VmHWM:/ { print $2 }' "/proc/$DAEMON_PID/status")
RATIO=$(awk -v a="$D_RPS" -v b="$N_RPS" 'BEGIN { printf "%.2f", a / b }')

cat <<EOF
gpu-shopper inventory benchmark
  machine            $(nproc) CPUs, $(uname -sr); load average $LOAD_BEFORE before, $(cut -d' ' -f1-3 /proc/loadavg) after
  load               wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION, median of $ROUNDS rounds
  catalogue          $LOADED offers loaded ($OFFERS in the simulator)
  query              GET /api/v1/inventory?$QUERY
                     $MATCHES (total, count) -> $BYTES response bytes
  gpu-shopperd       $D_RPS req/s, p99 $D_P99 ms  ($THREADS HTTP threads, access_log $ACCESS_LOG)
  nginx (static)     $N_RPS req/s, p99 $N_P99 ms  ($NGINX_WORKERS workers, same bytes)
  ratio              $RATIO  (target >= 0.5)
  uncached queries   $U_RPS req/s, p99 $U_P99 ms  (offset varies per request)
  daemon RSS         $((RSS_KB / 1024)) MB now, $((HWM_KB / 1024)) MB peak (VmHWM, listing)
EOF
