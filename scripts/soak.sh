#!/bin/sh
# soak.sh - the crash soak of docs/LIFECYCLE.md: POINTS (default 200)
# randomized kill -9 points of gpu-shopperd under a concurrent workload against
# gpu-market-sim (real plugins, real SSH), each followed by a restart and a
# zero-orphan check; exits 0 only when every point settled and nothing but
# running sessions' instances is left at the simulator.
#
#   scripts/soak.sh [POINTS] [SEED]        BUILD_DIR=build by default
set -eu
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
case $build in /*) ;; *) build=$PWD/$build ;; esac
points=${1:-200}
seed=${2:-$(date +%s)}
for bin in gpu-shopperd gpu-market-sim; do
        if [ ! -x "$build/bin/$bin" ]; then
                echo "soak.sh: $build/bin/$bin is missing; build first (make)" >&2
                exit 2
        fi
done
GS_BUILD_DIR=$build PYTHONDONTWRITEBYTECODE=1 exec python3 tests/blackbox/soak_crash.py "$points" "$seed"
