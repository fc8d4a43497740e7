#!/bin/sh
# make run: start gpu-shopperd on 127.0.0.1:8080 with etc/demo.ini (embedded
# SQLite under ./run/). Ctrl-C stops it.
set -eu
cd "$(dirname "$0")/.."
BIN=${BUILD_DIR:-build}/bin
mkdir -p run
echo "gpu-shopper: starting gpu-shopperd on http://127.0.0.1:8080 with etc/demo.ini (Ctrl-C stops)"
exec "$BIN/gpu-shopperd" --config etc/demo.ini
