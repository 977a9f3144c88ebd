#!/usr/bin/env bash
# The README's tour, run as written: every ```sh block between "## A tour" and the next "## "
# heading, in order, in one shell (so a block may use what an earlier one made, and start a
# server in the background), with the built `libro` first on PATH, in a fresh directory and a
# fresh trust store. The first command that fails stops the run and names its block and line,
# so the README cannot drift from the code again. Prints "N passed, N failed".
set -uo pipefail
libro=${1:?usage: readme_test.sh PATH/TO/libro [README.md]}
readme=${2:-$(cd "$(dirname "$0")/../.." && pwd)/README.md}
libro=$(cd "$(dirname "$libro")" && pwd)/$(basename "$libro")
work=$(mktemp -d "${TMPDIR:-/tmp}/libro-e2e-readme.XXXXXX")
cleanup() { [ -n "${LIBRO_README_KEEP:-}" ] || rm -rf "$work"; }
trap cleanup EXIT

# The blocks, each preceded by a marker naming its first line in the README.
awk '
    /^## / { in_tour = ($0 == "## A tour") ; next }
    in_tour && /^```sh$/ { in_block = 1; printf "__libro_block %d\n", NR + 1; next }
    in_tour && in_block && /^```$/ { in_block = 0; next }
    in_tour && in_block { print }
' "$readme" >"$work/blocks"
n_blocks=$(grep -c '^__libro_block ' "$work/blocks" || true)
if [ "$n_blocks" -eq 0 ]; then
    echo "FAIL no sh blocks found in the README's tour ($readme)"
    echo "0 passed, 1 failed"
    exit 1
fi

# One script: stop at the first failing command, say where it was, stop background servers.
{
    cat <<'PROLOGUE'
set -eEuo pipefail
__libro_line=0
trap 'echo "FAIL README line ${__libro_line}: a command exited $?" >&2' ERR
trap 'jobs -p | xargs -r kill 2>/dev/null; wait 2>/dev/null || true' EXIT
__libro_block() { __libro_line=$1; echo "--- README line $1" >&2; }
PROLOGUE
    cat "$work/blocks"
} >"$work/tour.sh"

mkdir "$work/run"
(
    cd "$work/run" &&
        PATH="$(dirname "$libro"):$PATH" XDG_DATA_HOME="$work/xdg" timeout 240 bash "$work/tour.sh"
) >"$work/out" 2>&1
rc=$?
# What the tour says happens: the employer's first scan is VALID, and after the revocation and
# a sync the same QR code says REVOKED with exit 4; the law's record holds.
if [ "$rc" -eq 0 ] && grep -qx 'VALID' "$work/out" && grep -q '^REVOKED: ' "$work/out" &&
    grep -qx 'exit 4' "$work/out" && grep -q '^RECORD HOLDS: ' "$work/out"; then
    echo "the README's tour ran: $n_blocks blocks, VALID then REVOKED (exit 4), a law's record"
    echo "1 passed, 0 failed"
    exit 0
fi
tail -n 30 "$work/out"
echo "FAIL the README's tour stopped (exit $rc)"
echo "0 passed, 1 failed"
exit 1
