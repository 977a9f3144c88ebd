#!/usr/bin/env bash
# ctest statuslist_independent: encode lists with libro (emit_statuslists), decode them with
# @digitalbazaar/vc-bitstring-status-list (statuslist.mjs). Usage: statuslist_run.sh
# PATH/TO/emit_statuslists. Exit 0 all as expected, 1 a mismatch, 77 skipped (no
# node_modules: run `npm ci --prefix tests/schemas` first).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
emit=${1:?usage: statuslist_run.sh PATH/TO/emit_statuslists}

if [ ! -d "$here/node_modules/@digitalbazaar/vc-bitstring-status-list" ]; then
    printf '\n*** SKIPPED: statuslist_independent: %s/node_modules is missing; run `npm ci --prefix tests/schemas` ***\n\n' "$here" >&2
    [ -z "${LIBRO_TEST_STRICT:-}" ] || exit 1 # scripts/test installed it: missing is a failure
    exit 77
fi
if ! command -v node >/dev/null 2>&1; then
    printf '\n*** SKIPPED: statuslist_independent: node is not installed ***\n\n' >&2
    [ -z "${LIBRO_TEST_STRICT:-}" ] || exit 1 # scripts/test installed it: missing is a failure
    exit 77
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$emit" "$work/lists.txt"
node "$here/statuslist.mjs" "$work/lists.txt"
