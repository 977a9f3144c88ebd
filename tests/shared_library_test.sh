#!/usr/bin/env bash
# liblibro (LIBRO_SHARED): its soname is versioned, it exports the public API (libro_*) and
# no other symbol, and a program compiled against its headers and linked to it runs.
# Usage: shared_library_test.sh NM LIBRARY INCLUDE_DIR... -- CC PROGRAM.c
# Prints "N passed, N failed".
set -uo pipefail
nm=$1
lib=$2
shift 2
includes=()
while [ "$1" != -- ]; do includes+=("-I$1"); shift; done
cc=$2
program=$3
work=$(mktemp -d "${TMPDIR:-/tmp}/libro-shared.XXXXXX")
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); }
fail() { printf 'FAIL %s\n' "$*"; failed=$((failed + 1)); }

soname=$(LC_ALL=C objdump -p "$lib" | sed -n 's/^ *SONAME *//p')
if [[ $soname =~ ^liblibro\.so\.[0-9]+$ ]]; then ok; else fail "soname: '$soname'"; fi
"$nm" -D --defined-only "$lib" | awk '{print $3}' | sort >"$work/exported"
other=$(grep -v '^libro_' "$work/exported" | grep -vxE '_init|_fini|_edata|_end|__bss_start')
if [ -z "$other" ]; then ok; else fail "exported besides libro_*: $(head -20 <<<"$other")"; fi
# libro__alloc_fail_after is the one double-underscore name util.h declares LIBRO_API (the OOM
# tests' hook); any other is an internal that leaked.
internal=$(grep -E '__' "$work/exported" | grep -vx libro__alloc_fail_after)
if [ -z "$internal" ]; then ok; else fail "cross-file internals exported: $(head -20 <<<"$internal")"; fi
for want in libro_version libro_jws_sign_compact libro_verify_license libro_registry_open \
    libro_server_start; do
    if grep -qx "$want" "$work/exported"; then ok; else fail "not exported: $want"; fi
done
libdir=$(cd "$(dirname "$lib")" && pwd)
if "$cc" -std=c11 -Wall -Wextra -Werror "${includes[@]}" -o "$work/hello" "$program" \
    -L"$libdir" -llibro 2>"$work/cc.err"; then ok; else fail "compile: $(cat "$work/cc.err")"; fi
out=$(LD_LIBRARY_PATH=$libdir "$work/hello" 2>&1)
if [[ $out == liblibro\ *signed\ and\ verified* ]]; then ok; else fail "run: $out"; fi
printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
