#!/bin/sh
# Install the SDK into a temporary prefix, build sdk/examples/hello_provider.c
# out of tree through pkg-config, then have gpu-shopperd load it twice:
# --describe-plugin and --check-config with a [provider.hello] section.
set -eu
build=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
pcdir=$(dirname "$(find "$tmp/prefix" -name gpushop-sdk.pc | head -n 1)")
mkdir "$tmp/hello"
cp "$src/sdk/examples/hello_provider.c" "$src/sdk/examples/Makefile" "$tmp/hello/"
# The .pc records the configured prefix; relocate it to the temporary one.
pc="pkg-config --define-variable=prefix=$tmp/prefix"
PKG_CONFIG_PATH="$pcdir" make -C "$tmp/hello" PKG_CONFIG="$pc" >/dev/null
plugindir=$(PKG_CONFIG_PATH="$pcdir" $pc --variable=plugindir gpushop-sdk)
case "$plugindir" in "$tmp/prefix"/*) ;; *) echo "bad plugindir '$plugindir'"; exit 1 ;; esac
syms=$(nm -D --defined-only "$tmp/hello/hello.so" | awk '{print $3}')
[ "$syms" = "gs_plugin_entry" ] || { echo "hello.so exports: $syms"; exit 1; }
"$build/bin/gpu-shopperd" --describe-plugin "$tmp/hello/hello.so" | tee "$tmp/describe.txt"
grep -q 'greeting' "$tmp/describe.txt"
cat > "$tmp/hello.ini" <<INI
[server]
data_dir = $tmp/data
[storage]
path = $tmp/data/test.db
[provider.hello]
plugin = $tmp/hello/hello.so
greeting = hi
INI
"$build/bin/gpu-shopperd" --check-config "$tmp/hello.ini"
echo "sdk out-of-tree build and load: ok"
