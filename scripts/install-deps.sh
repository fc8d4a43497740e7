#!/bin/sh
# Installs the Debian 12 packages gpu-shopper builds, tests and runs with.
# Idempotent: only packages not yet installed are passed to apt-get.
set -eu

PKGS="build-essential cmake pkg-config
libmicrohttpd-dev libcurl4-openssl-dev libjansson-dev libltdl-dev
libsqlite3-dev sqlite3 libinih-dev libssh-dev libcmocka-dev libssl-dev
python3
curl openssh-client openssh-server"

missing=""
for p in $PKGS; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
                missing="$missing $p"
        fi
done

[ -z "$missing" ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
        SUDO="sudo"
fi
echo "install-deps: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null || $SUDO apt-get update
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
