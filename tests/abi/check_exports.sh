#!/bin/sh
# Every plugin exports exactly one dynamic symbol: gs_plugin_entry.
set -eu
dir=$1
n=0
fail=0
for so in "$dir"/*.so; do
        [ -e "$so" ] || continue
        n=$((n + 1))
        syms=$(nm -D --defined-only "$so" | awk '{print $3}' | sort | tr '\n' ' ')
        if [ "$syms" != "gs_plugin_entry " ]; then
                echo "FAIL $so exports: $syms"
                fail=1
        else
                echo "ok   $so"
        fi
done
if [ "$n" -lt 1 ]; then
        echo "no plugins found in $dir"
        exit 1
fi
exit $fail
