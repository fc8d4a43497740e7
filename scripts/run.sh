#!/bin/sh
# make run: start gpu-shopperd on 127.0.0.1:8080 with state under ./run.
#  - No provider credentials in the environment: also start the simulated
#    marketplace (gpu-market-sim on 127.0.0.1:18080) and use etc/demo.ini.
#  - VASTAI_API_KEY and/or TENSORDOCK_AUTH_ID + TENSORDOCK_API_TOKEN set:
#    use the real providers for which credentials exist (run/live.ini).
# Ctrl-C stops everything this script started.
set -eu
cd "$(dirname "$0")/.."
BIN=${BUILD_DIR:-build}/bin
SIM_PORT=18080
mkdir -p run
sim_pid=""
daemon_pid=""

stop() {
        [ -n "$daemon_pid" ] && kill -TERM "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
        [ -n "$sim_pid" ] && kill -TERM "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null
        exit 0
}
trap stop INT TERM

if [ -n "${VASTAI_API_KEY:-}" ] || { [ -n "${TENSORDOCK_AUTH_ID:-}" ] && [ -n "${TENSORDOCK_API_TOKEN:-}" ]; }; then
        config=run/live.ini
        {
                printf '[server]\nlisten = 127.0.0.1\nport = 8080\ndata_dir = ./run/data\n\n'
                printf '[storage]\npath = ./run/data/gpu-shopper.db\n\n'
                [ -n "${VASTAI_API_KEY:-}" ] && printf '[provider.vastai]\n\n'
                if [ -n "${TENSORDOCK_AUTH_ID:-}" ] && [ -n "${TENSORDOCK_API_TOKEN:-}" ]; then
                        printf '[provider.tensordock]\n\n'
                fi
        } > "$config"
        echo "gpu-shopper: provider credentials found: using the REAL providers ($config) on http://127.0.0.1:8080 (Ctrl-C stops)"
else
        config=etc/demo.ini
        "$BIN/gpu-market-sim" --port "$SIM_PORT" --offers 400 --seed 7 > run/sim.out 2> run/sim.log &
        sim_pid=$!
        tries=0
        until grep -q "listening on" run/sim.out 2>/dev/null; do
                tries=$((tries + 1))
                if [ "$tries" -gt 100 ] || ! kill -0 "$sim_pid" 2>/dev/null; then
                        echo "gpu-shopper: the simulator did not start (is port $SIM_PORT free?):" >&2
                        cat run/sim.log >&2
                        exit 1
                fi
                sleep 0.1
        done
        echo "gpu-shopper: no provider credentials in the environment: demo mode, simulated marketplace on 127.0.0.1:$SIM_PORT, gpu-shopperd on http://127.0.0.1:8080 (Ctrl-C stops both)"
fi

"$BIN/gpu-shopperd" --config "$config" &
daemon_pid=$!
wait "$daemon_pid" || true
daemon_pid=""
stop
