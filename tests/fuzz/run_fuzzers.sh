#!/bin/sh
# run_fuzzers.sh SECONDS [target...] - build the libFuzzer targets with clang
# (build-fuzz-clang, GS_FUZZ=ON) and run each for SECONDS.
#
# Targets: the fuzz_<name>.c files of this directory (all when none given).
# Each run starts from corpus/<name>/, writes new inputs to a scratch
# directory and crash/leak/timeout reproducers to a temporary artifacts
# directory (kept and named when something is found). Afterwards the new
# inputs that add edge coverage are merged into corpus/<name>/ (-merge=1
# -use_counters=0; set GS_FUZZ_MERGE=0 to leave the corpus alone). Prints one line per target:
# executions, corpus size and findings. Exit status 1 when anything was found.
#
# Environment: CC (default clang), GS_FUZZ_BUILD_DIR (default
# <repo>/build-fuzz-clang), GS_FUZZ_JOBS (build jobs, default 2).
# Several instances may run at once (the build step is serialised).
set -eu

usage() {
        echo "usage: $0 SECONDS [target...]" >&2
        exit 2
}

[ $# -ge 1 ] || usage
secs=$1
shift
case $secs in
''|*[!0-9]*) usage ;;
esac

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${GS_FUZZ_BUILD_DIR:-$root/build-fuzz-clang}
jobs=${GS_FUZZ_JOBS:-2}
merge=${GS_FUZZ_MERGE:-1}

if [ $# -eq 0 ]; then
        for f in "$here"/fuzz_*.c; do
                n=${f##*/fuzz_}
                n=${n%.c}
                [ "$n" = main ] || set -- "$@" "$n"
        done
fi

mkdir -p "$build"
(
        flock 9
        # Configure every time: new targets and sources are picked up.
        CC=${CC:-clang} cmake -S "$root" -B "$build" -DGS_FUZZ=ON \
                -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$build/configure.log" 2>&1 ||
                { cat "$build/configure.log" >&2; exit 1; }
        targets=""
        for t in "$@"; do
                targets="$targets ${t}_fuzzer"
        done
        # shellcheck disable=SC2086
        cmake --build "$build" -j "$jobs" --target $targets >"$build/build.log" 2>&1 ||
                { tail -n 40 "$build/build.log" >&2; exit 1; }
) 9>"$build/.fuzz-build.lock"

found=0
printf '%-18s %8s %14s %8s %s\n' target seconds executions corpus findings
for t in "$@"; do
        bin=$build/tests/${t}_fuzzer
        corpus=$here/corpus/$t
        scratch=$(mktemp -d "${TMPDIR:-/tmp}/gs-fuzz-$t.XXXXXX")
        art=$(mktemp -d "${TMPDIR:-/tmp}/gs-fuzz-$t-artifacts.XXXXXX")
        log=$art/fuzz.log
        dict=""
        [ -f "$here/$t.dict" ] && dict="-dict=$here/$t.dict"
        mkdir -p "$corpus"
        # shellcheck disable=SC2086
        "$bin" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
                -artifact_prefix="$art/" $dict "$scratch" "$corpus" >"$log" 2>&1 || true
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
        crashes=$(find "$art" -type f \( -name 'crash-*' -o -name 'leak-*' -o \
                -name 'timeout-*' -o -name 'oom-*' -o -name 'slow-unit-*' \) | wc -l)
        if [ "$merge" = 1 ] && [ "$crashes" -eq 0 ]; then
                # Edge coverage only (no hit counters): keeps the corpus small.
                "$bin" -merge=1 -use_counters=0 -rss_limit_mb=2048 -timeout=10 \
                        "$corpus" "$scratch" \
                        >"$art/merge.log" 2>&1 || true
        fi
        size=$(find "$corpus" -type f | wc -l)
        rm -rf "$scratch"
        if [ "$crashes" -gt 0 ]; then
                found=1
                printf '%-18s %8s %14s %8s %s\n' "$t" "$secs" "${execs:-?}" "$size" \
                        "$crashes (see $art)"
        else
                printf '%-18s %8s %14s %8s %s\n' "$t" "$secs" "${execs:-?}" "$size" 0
                rm -rf "$art"
        fi
done
exit $found
